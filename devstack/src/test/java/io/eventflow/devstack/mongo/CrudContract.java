package io.eventflow.devstack.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CollationStrength;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;

/**
 * CRUD behaviour MongoDB's own specification tests check and services rely on: let variables, case-insensitive
 * collations, update pipelines, field names with dots and dollars, null ids, statement-level errors and database
 * aggregations. Runs against the emulator and a real MongoDB.
 */
abstract class CrudContract extends MongoContract {

    private static final Collation IGNORE_CASE = Collation.builder().locale("en_US")
        .collationStrength(CollationStrength.SECONDARY).build();

    private MongoCollection<Document> items;

    @BeforeEach
    void fillItems() {
        items = database.getCollection("items");
        items.insertMany(List.of(new Document("_id", 1).append("name", "PING"), new Document("_id", 2).append("name", "ping"),
            new Document("_id", 3).append("name", "pong")));
    }

    @Test
    void letVariablesReachFiltersAndUpdatePipelines() {
        items.updateOne(new Document("$expr", new Document("$eq", List.of("$_id", "$$id"))),
            List.of(new Document("$set", new Document("tag", "$$tag"))),
            new UpdateOptions().let(new Document("id", 3).append("tag", "chosen")));

        assertThat(items.find(eq("_id", 3)).first()).containsEntry("tag", "chosen");
        assertThat(items.find(new Document("$expr", new Document("$eq", List.of("$name", "$$name"))))
            .let(new Document("name", "ping")).into(new ArrayList<>())).extracting(d -> d.get("_id")).containsExactly(2);
    }

    @Test
    void aCaseInsensitiveCollationMatchesStringsWhateverTheirCase() {
        assertThat(items.find(eq("name", "Ping")).collation(IGNORE_CASE).into(new ArrayList<>())).hasSize(2);
        assertThat(items.updateMany(eq("name", "PING"), new Document("$set", new Document("seen", true)),
            new UpdateOptions().collation(IGNORE_CASE)).getModifiedCount()).isEqualTo(2);
        assertThat(items.distinct("name", String.class).collation(IGNORE_CASE).into(new ArrayList<>())).hasSize(2);
    }

    @Test
    void findOneAndUpdateTakesAnUpdatePipeline() {
        Document after = items.findOneAndUpdate(eq("_id", 3),
            List.of(new Document("$set", new Document("length", new Document("$strLenCP", "$name")))),
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));

        assertThat(after).containsEntry("length", 4);
    }

    @Test
    void aPipelineThatReplacesTheRootKeepsTheDocumentsId() {
        items.updateOne(eq("_id", 1), new Document("$set", new Document("inner", new Document("kept", true))));

        items.updateOne(eq("_id", 1), List.of(new Document("$replaceRoot", new Document("newRoot", "$inner"))));

        assertThat(items.find(eq("_id", 1)).first()).isEqualTo(new Document("_id", 1).append("kept", true));
    }

    @Test
    void setFieldStoresFieldNamesWithDotsAndDollars() {
        items.updateOne(eq("_id", 1), List.of(new Document("$replaceWith", new Document("$setField",
            new Document("field", new Document("$literal", "a.b")).append("value", 1).append("input", "$$ROOT")))));
        items.updateOne(eq("_id", 2), List.of(new Document("$replaceWith", new Document("$setField",
            new Document("field", new Document("$literal", "$price")).append("value", 2).append("input", "$$ROOT")))));

        assertThat(items.find(eq("_id", 1)).first()).containsEntry("a.b", 1);
        assertThat(items.find(eq("_id", 2)).first()).containsEntry("$price", 2);
    }

    @Test
    void anUpsertFilteringOnANullIdStoresANullId() {
        items.updateOne(eq("_id", null), new Document("$set", new Document("name", "nothing")),
            new UpdateOptions().upsert(true));

        assertThat(items.countDocuments(new Document("_id", new Document("$type", "null")))).isEqualTo(1);
    }

    @Test
    void aDeleteStatementWithAnUnknownOperatorIsAWriteErrorOfItsOwn() {
        Document reply = database.runCommand(new Document("delete", "items").append("ordered", false)
            .append("deletes", List.of(
                new Document("q", new Document("name", new Document("$unknownOperator", 1))).append("limit", 0),
                new Document("q", new Document("_id", 3)).append("limit", 1))));

        assertThat(reply.getInteger("n")).isEqualTo(1);
        assertThat(reply.getList("writeErrors", Document.class)).singleElement()
            .satisfies(error -> assertThat(error.getInteger("index")).isZero());
    }

    @Test
    void aDatabaseAggregationCanStartFromLiteralDocuments() {
        List<Document> result = database.aggregate(List.of(
            new Document("$documents", List.of(new Document("x", 1), new Document("x", 2))),
            new Document("$match", new Document("x", new Document("$gt", 1))))).into(new ArrayList<>());

        assertThat(result).containsExactly(new Document("x", 2));
    }

    @Test
    void aDuplicateKeyFromFindOneAndUpdateNamesTheIndexAndTheValue() {
        items.createIndex(new Document("name", 1), new IndexOptions().unique(true));

        assertThatThrownBy(() -> items.findOneAndUpdate(eq("_id", 3), new Document("$set", new Document("name", "PING"))))
            .isInstanceOf(MongoCommandException.class)
            .satisfies(e -> {
                Document response = Document.parse(((MongoCommandException) e).getResponse().toJson());
                assertThat(response.get("keyPattern", Document.class)).isEqualTo(new Document("name", 1));
                assertThat(response.get("keyValue", Document.class)).isEqualTo(new Document("name", "PING"));
            });
    }

    @Test
    void aProjectionComputesADottedPathAsANestedField() {
        List<Document> projected = items.aggregate(List.of(new Document("$match", new Document("_id", 1)),
            new Document("$project", new Document("meta.source", "catalog")))).into(new ArrayList<>());

        assertThat(projected).containsExactly(new Document("_id", 1).append("meta", new Document("source", "catalog")));
    }

    @Test
    void anOutStageRefusesALinearizableReadConcern() {
        assertThatThrownBy(() -> items.withReadConcern(com.mongodb.ReadConcern.LINEARIZABLE)
                .aggregate(List.of(new Document("$out", "copy"))).toCollection())
            .isInstanceOf(MongoCommandException.class);
    }

    @Test
    void aViewIsReadThroughItsPipelineAndCannotBeWritten() {
        database.createView("pings", "items", List.of(new Document("$match", new Document("name",
            new Document("$in", List.of("PING", "ping"))))));
        MongoCollection<Document> pings = database.getCollection("pings");

        assertThat(pings.estimatedDocumentCount()).isEqualTo(2);
        assertThat(pings.find(eq("_id", 2)).into(new ArrayList<>())).containsExactly(new Document("_id", 2).append("name", "ping"));
        assertThat(pings.countDocuments(eq("name", "PING"))).isEqualTo(1);
        assertThat(database.listCollections().into(new ArrayList<>()))
            .anySatisfy(collection -> assertThat(collection).containsEntry("name", "pings").containsEntry("type", "view"));
        assertThatThrownBy(() -> pings.insertOne(new Document("_id", 9)))
            .isInstanceOf(com.mongodb.MongoException.class)
            .satisfies(e -> assertThat(((com.mongodb.MongoException) e).getCode()).isEqualTo(166));
        pings.drop();
        assertThat(database.listCollectionNames().into(new ArrayList<>())).doesNotContain("pings");
    }
}
