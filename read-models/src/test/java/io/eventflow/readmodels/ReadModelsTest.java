package io.eventflow.readmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;

import io.eventflow.core.readmodel.AppendToken;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/** Read-your-writes against documents as the job writes them, on the embedded MongoDB. */
class ReadModelsTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    private MongoClient client;
    private MongoDatabase database;
    private ReadModels readModels;

    @BeforeEach
    void connect() {
        client = MongoClients.create(MONGO.connectionString());
        database = client.getDatabase("rm_" + System.nanoTime());
        readModels = ReadModels.builder(database).minPoll(Duration.ofMillis(2)).maxPoll(Duration.ofMillis(20)).build();
    }

    @AfterEach
    void disconnect() {
        database.drop();
        client.close();
    }

    @Test
    void awaitVersionReturnsTheDocumentOnceItReachesTheVersion() throws Exception {
        writeOrder("orders", "o1", 2, "CREATED");
        CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
            sleep(150);
            writeOrder("orders", "o1", 3, "CONFIRMED");
        });

        Document order = readModels.awaitVersion("orders", "o1", 3, Duration.ofSeconds(5));

        assertThat(order.getString("status")).isEqualTo("CONFIRMED");
        job.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWaitThatSpansARebuildsSwitchReadsTheNewCollection() throws Exception {
        writeOrder("orders", "o1", 1, "CREATED");
        CompletableFuture<Void> rebuild = CompletableFuture.runAsync(() -> {
            sleep(100);
            writeOrder("orders_v2", "o1", 2, "CONFIRMED");
            readModels.aliases().switchTo("orders", "orders_v2");
        });

        assertThat(readModels.awaitVersion("orders", "o1", 2, Duration.ofSeconds(5)).getString("status"))
            .isEqualTo("CONFIRMED");
        rebuild.get(5, TimeUnit.SECONDS);
        assertThat(readModels.collection("orders").getNamespace().getCollectionName()).isEqualTo("orders_v2");
    }

    @Test
    void aWaitThatTimesOutSaysWhatItWaitedForAndWhatItSaw() {
        writeOrder("orders", "o1", 2, "CREATED");

        assertThatThrownBy(() -> readModels.awaitVersion("orders", "o1", 5, Duration.ofMillis(100)))
            .isInstanceOf(ReadModelTimeoutException.class)
            .hasMessage("read model 'orders' (collection orders) did not reach document 'o1' at version 5 within PT0.1S; "
                + "last seen: lastSequenceNo 2");
        assertThatThrownBy(() -> readModels.awaitVersion("orders", "o9", 1, Duration.ofMillis(50)))
            .isInstanceOf(ReadModelTimeoutException.class).hasMessageEndingWith("last seen: no document");
    }

    @Test
    void aWaitOnACollectionThatDoesNotExistSaysSoWhenItTimesOut() {
        writeOrder("orders", "o1", 2, "CREATED");

        assertThatThrownBy(() -> readModels.awaitVersion("order", "o1", 1, Duration.ofMillis(50)))
            .isInstanceOf(ReadModelTimeoutException.class)
            .hasMessageEndingWith("last seen: no document; database " + database.getName()
                + " has no collection order (it has [orders])");
    }

    @Test
    void awaitAppliedWaitsForTheDocumentsAppliedPositionOfTheAppendsAggregate() throws Exception {
        database.getCollection("per_customer").insertOne(new Document("_id", "c7").append("orders", 1L)
            .append("eventCount", 1L));
        applied("per_customer", "c7", "o1", 1);
        CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
            sleep(150);
            database.getCollection("per_customer").replaceOne(Filters.eq("_id", "c7"), new Document("_id", "c7")
                .append("orders", 2L).append("eventCount", 2L));
            applied("per_customer", "c7", "o2", 3);
        });

        Document customer = readModels.awaitApplied("per_customer", "c7", AppendToken.parse("o2@3"), Duration.ofSeconds(5));

        assertThat(customer.getLong("orders")).isEqualTo(2L);
        assertThatThrownBy(() -> readModels.awaitApplied("per_customer", "c7", new AppendToken("o2", 4), Duration.ofMillis(50)))
            .isInstanceOf(ReadModelTimeoutException.class).hasMessageEndingWith("last seen: o2 applied up to 3");
        job.get(5, TimeUnit.SECONDS);
    }

    @Test
    void tokensTravelAsText() {
        assertThat(AppendToken.parse("order@42@7")).isEqualTo(new AppendToken("order@42", 7));
        assertThat(new AppendToken("o1", 3)).hasToString("o1@3");
        assertThatThrownBy(() -> AppendToken.parse("o1@x")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("'o1@x' is not an append token: the sequenceNo 'x' is not a number");
        assertThatThrownBy(() -> AppendToken.parse("o1")).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("'o1' is not an append token: expected <aggregateId>@<sequenceNo>");
    }

    private void writeOrder(String collection, String id, long version, String status) {
        database.getCollection(collection).replaceOne(Filters.eq("_id", id), new Document("_id", id)
            .append("status", status).append("lastSequenceNo", version), new ReplaceOptions().upsert(true));
    }

    private void applied(String collection, String key, String aggregateId, long sequenceNo) {
        database.getCollection(collection + ".applied").replaceOne(Filters.eq("_id", new Document("k", key)
            .append("a", aggregateId)), new Document("_id", new Document("k", key).append("a", aggregateId))
            .append("s", sequenceNo), new ReplaceOptions().upsert(true));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
