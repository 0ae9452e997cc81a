package io.eventflow.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.readmodel.ReadModelDocuments;

/** The sink's write model applied by the server: a read model never goes back to an older sequenceNo. */
class VersionGuardedUpsertTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @Test
    void staleAndRepeatedUpdatesAreNoOpsAndNewerOnesWin() {
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            MongoCollection<BsonDocument> orders = client.getDatabase("rm").getCollection("orders", BsonDocument.class);
            VersionGuardedUpsert upsert = new VersionGuardedUpsert();

            orders.bulkWrite(List.of(upsert.serialize(update(3, "SHIPPED"), null)));
            orders.bulkWrite(List.of(upsert.serialize(update(2, "CONFIRMED"), null), upsert.serialize(update(3, "SHIPPED"), null),
                upsert.serialize(update(1, "CREATED"), null)));
            assertThat(orders.find().first().getString("status").getValue()).isEqualTo("SHIPPED");

            orders.bulkWrite(List.of(upsert.serialize(update(4, "CANCELLED"), null)));
            BsonDocument stored = orders.find().first();
            assertThat(stored.getString("status").getValue()).isEqualTo("CANCELLED");
            assertThat(stored.getInt64("lastSequenceNo").getValue()).isEqualTo(4);
            assertThat(orders.countDocuments()).isEqualTo(1);
        }
    }

    private static ReadModelUpdate update(long version, String status) {
        return new ReadModelUpdate("order", "o1", version,
            ReadModelDocuments.encode("o1", new Document("status", status), version, "e" + version, 0));
    }
}
