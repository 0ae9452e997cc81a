package io.eventflow.devstack.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.mongo.fault.FailCommand;

/** What is particular to the emulator: its handshake, its bounded oplog, its Java fault-injection API. */
class EmbeddedMongoServerTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension(builder -> builder
        .oplogCapacity(20).transactionLifetime(Duration.ofSeconds(1)));

    @Test
    void itAnswersTheHandshakeAsTheWritablePrimaryOfReplicaSetRs0() {
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));

            String address = "127.0.0.1:" + MONGO.server().port();
            assertThat(MONGO.connectionString()).isEqualTo("mongodb://" + address + "/?replicaSet=rs0");
            assertThat(hello.getBoolean("isWritablePrimary")).isTrue();
            assertThat(hello.getString("setName")).isEqualTo("rs0");
            assertThat(hello.getList("hosts", String.class)).containsExactly(address);
            assertThat(hello.getString("me")).isEqualTo(address);
            assertThat(hello.getString("primary")).isEqualTo(address);
            assertThat(hello.getInteger("logicalSessionTimeoutMinutes")).isEqualTo(30);
            assertThat(hello.get("$clusterTime", Document.class).get("clusterTime")).isNotNull();
            assertThat(hello.get("operationTime")).isNotNull();
            assertThat(hello.get("ok")).isEqualTo(1.0);
            assertThat(client.getDatabase("admin").runCommand(new Document("buildInfo", 1)).getString("version")).startsWith("6.0.");
        }
    }

    @Test
    void resumingBeforeTheRetainedOplogFailsWithError286() {
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            MongoCollection<Document> events = client.getDatabase("bounded").getCollection("events");
            BsonDocument firstToken;
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = events.watch()
                .maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor()) {
                events.insertOne(new Document("n", 0));
                firstToken = ChangeStreamContract.next(stream, 1).get(0).getResumeToken();
            }
            for (int n = 1; n <= 30; n++) {
                events.insertOne(new Document("n", n));
            }

            assertThat(MONGO.server().oplogStats().dropped()).isGreaterThan(0);
            assertThat(MONGO.server().oplogStats().retained()).isEqualTo(20);
            assertThatThrownBy(() -> events.watch().resumeAfter(firstToken).cursor().tryNext())
                .isInstanceOf(MongoCommandException.class)
                .satisfies(e -> assertThat(((MongoCommandException) e).getErrorCode()).isEqualTo(286))
                .hasMessageContaining("may no longer be in the oplog");
        }
    }

    @Test
    void aStreamThatFallsBehindTheRetainedOplogFailsWithError286() {
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            MongoCollection<Document> events = client.getDatabase("behind").getCollection("events");
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = events.watch().batchSize(1)
                .maxAwaitTime(100, TimeUnit.MILLISECONDS).cursor()) {
                assertThat(stream.tryNext()).isNull();
                for (int n = 0; n < 30; n++) {
                    events.insertOne(new Document("n", n));
                }
                assertThatThrownBy(() -> ChangeStreamContract.next(stream, 30))
                    .isInstanceOf(MongoException.class)
                    .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(286));
            }
        }
    }

    @Test
    void aTransactionOpenLongerThanItsLifetimeIsAborted() throws Exception {
        try (MongoClient client = MongoClients.create(MONGO.connectionString());
             ClientSession session = client.startSession()) {
            MongoCollection<Document> events = client.getDatabase("lifetime").getCollection("events");
            session.startTransaction();
            events.insertOne(session, new Document("_id", "slow"));
            Thread.sleep(2500);

            assertThatThrownBy(session::commitTransaction)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(251))
                .hasMessageContaining("exceeded the transaction lifetime limit");
            assertThat(events.countDocuments()).isZero();
        }
    }

    @Test
    void theJavaFaultApiFailsTheNextCommandsAndDroppingConnectionsIsSurvivedByRetries() {
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            MongoCollection<Document> events = client.getDatabase("faults").getCollection("events");
            events.insertOne(new Document("_id", 1));
            long hitsBefore = MONGO.server().failPointHits();

            MONGO.server().failCommand(FailCommand.on("find").times(2).errorCode(11600).build());
            assertThatThrownBy(() -> events.find().first())
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(11600));
            assertThat(MONGO.server().failPointHits() - hitsBefore).isEqualTo(2);
            assertThat(events.find().first()).isNotNull();

            MONGO.server().dropConnections();
            assertThat(events.countDocuments()).isEqualTo(1);
        }
    }

    @Test
    void aFailPointThatDoesNothingIsRejectedWithItsCommands() {
        assertThatThrownBy(() -> FailCommand.on("insert").build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("[insert] does nothing");
        assertThatThrownBy(() -> FailCommand.on("insert").times(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("times must be at least 1, was 0");
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("configureFailPoint", "failCommand")
                .append("mode", "alwaysOn").append("data", new Document("failCommands", List.of()))))
                .isInstanceOf(MongoCommandException.class)
                .hasMessageContaining("data.failCommands must be a non-empty array, was []");
        }
    }

    @Test
    void builderSettingsAreValidatedWithTheValue() {
        assertThatThrownBy(() -> EmbeddedMongoServer.builder().port(70000))
            .hasMessage("port must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> EmbeddedMongoServer.builder().oplogCapacity(0))
            .hasMessage("oplogCapacity must be at least 1, was 0");
        assertThatThrownBy(() -> EmbeddedMongoServer.builder().replicaSetName(" "))
            .hasMessage("replicaSetName must not be blank, was ' '");
    }
}
