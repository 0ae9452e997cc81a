package io.eventflow.devstack.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.result.UpdateResult;

/**
 * Pipeline-style updates, the way read models are written: an upsert that replaces the document only when the
 * stored {@code lastSequenceNo} is older. Runs against the emulator and a real MongoDB.
 */
abstract class PipelineUpdateContract extends MongoContract {

    @Test
    void aVersionGuardedUpsertNeverGoesBack() {
        MongoCollection<Document> orders = database.getCollection("orders");

        UpdateResult created = orders.updateOne(Filters.eq("_id", "o1"), guarded(readModel("o1", 2, "CONFIRMED")),
            new UpdateOptions().upsert(true));
        UpdateResult stale = orders.updateOne(Filters.eq("_id", "o1"), guarded(readModel("o1", 1, "CREATED")),
            new UpdateOptions().upsert(true));
        UpdateResult same = orders.updateOne(Filters.eq("_id", "o1"), guarded(readModel("o1", 2, "CONFIRMED")),
            new UpdateOptions().upsert(true));

        assertThat(created.getUpsertedId()).isNotNull();
        assertThat(stale.getModifiedCount()).isZero();
        assertThat(stale.getUpsertedId()).isNull();
        assertThat(same.getModifiedCount()).isZero();
        assertThat(orders.find().first()).isEqualTo(readModel("o1", 2, "CONFIRMED"));

        UpdateResult newer = orders.updateOne(Filters.eq("_id", "o1"), guarded(readModel("o1", 3, "SHIPPED")),
            new UpdateOptions().upsert(true));

        assertThat(newer.getModifiedCount()).isEqualTo(1);
        assertThat(orders.find().first()).isEqualTo(readModel("o1", 3, "SHIPPED"));
        assertThat(orders.countDocuments()).isEqualTo(1);
    }

    @Test
    void guardedUpsertsInOneBulkWriteApplyInOrder() {
        MongoCollection<Document> orders = database.getCollection("orders");
        orders.bulkWrite(List.of(
            new UpdateOneModel<>(Filters.eq("_id", "o2"), guarded(readModel("o2", 5, "SHIPPED")), new UpdateOptions().upsert(true)),
            new UpdateOneModel<>(Filters.eq("_id", "o2"), guarded(readModel("o2", 4, "CONFIRMED")), new UpdateOptions().upsert(true)),
            new UpdateOneModel<>(Filters.eq("_id", "o3"), guarded(readModel("o3", 1, "CREATED")), new UpdateOptions().upsert(true))));

        assertThat(orders.find(Filters.eq("_id", "o2")).first()).isEqualTo(readModel("o2", 5, "SHIPPED"));
        assertThat(orders.find(Filters.eq("_id", "o3")).first()).isEqualTo(readModel("o3", 1, "CREATED"));
    }

    @Test
    void setAndUnsetStagesComputeFromTheStoredDocument() {
        MongoCollection<Document> counters = database.getCollection("counters");
        counters.insertOne(new Document("_id", "c").append("count", 1).append("stale", true));

        counters.updateOne(Filters.eq("_id", "c"), List.of(
            new Document("$set", new Document("count", new Document("$add", List.of("$count", 1)))),
            new Document("$unset", "stale")));

        assertThat(counters.find().first()).isEqualTo(new Document("_id", "c").append("count", 2));
    }

    static Document readModel(String id, long lastSequenceNo, String status) {
        return new Document("_id", id).append("lastSequenceNo", lastSequenceNo).append("status", status);
    }

    /** Replace the document with {@code next} only if its stored lastSequenceNo is lower. */
    static List<Bson> guarded(Document next) {
        Document isNewer = new Document("$lt", List.of(new Document("$ifNull", List.of("$lastSequenceNo", 0L)),
            next.getLong("lastSequenceNo")));
        return List.of(new Document("$replaceWith",
            new Document("$cond", List.of(isNewer, new Document("$literal", next), "$$ROOT"))));
    }
}
