package io.eventflow.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.source.EventCollection.Outcome;
import io.eventflow.writer.EventStore;

/** A job that starts with a snapshot finds its event collection there, or creates it, or refuses to start. */
class EventCollectionTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @AfterEach
    void clearFailPoints() {
        MONGO.server().clearFailCommand();
    }

    @Test
    void aMissingCollectionIsCreatedOnceAndFoundAfterwards() {
        MongoConnection mongo = new MongoConnection(MONGO.connectionString(), null, null);
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            assertThat(EventCollection.ensureExists(mongo, "es_missing", "events")).isEqualTo(Outcome.CREATED);
            assertThat(client.getDatabase("es_missing").listCollectionNames().into(new ArrayList<>())).contains("events");
            assertThat(EventCollection.ensureExists(mongo, "es_missing", "events")).isEqualTo(Outcome.EXISTED);
        }
    }

    @Test
    void aCollectionAWriterCreatedIsLeftAsItIs() {
        MongoConnection mongo = new MongoConnection(MONGO.connectionString(), null, null);
        try (MongoClient client = MongoClients.create(MONGO.connectionString())) {
            EventStore.builder().mongoClient(client).database("es_written").build();
            int indexes = client.getDatabase("es_written").getCollection("events").listIndexes().into(new ArrayList<>()).size();
            assertThat(EventCollection.ensureExists(mongo, "es_written", "events")).isEqualTo(Outcome.EXISTED);
            assertThat(client.getDatabase("es_written").getCollection("events").listIndexes().into(new ArrayList<>()))
                .hasSize(indexes);
        }
    }

    @Test
    void aStoreThatRefusesToCreateTheCollectionStopsTheStartWithWhatToDo() {
        MongoConnection mongo = new MongoConnection(MONGO.connectionString(), null, null);
        MONGO.server().failCommand(FailCommand.on("create").errorCode(13).alwaysOn().build());

        assertThatThrownBy(() -> EventCollection.ensureExists(mongo, "es_refused", "events"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("the event collection es_refused.events does not exist and MongoDB refused to create it")
            .hasMessageContaining("error 13")
            .hasMessageContaining("create it before the job's first start");
    }

    @Test
    void aStoreOutOfReachIsReportedAndDoesNotStopTheStart() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        MongoConnection mongo = new MongoConnection("mongodb://127.0.0.1:" + closedPort + "/?replicaSet=rs0", null, null);

        assertThat(EventCollection.ensureExists(mongo, "es_away", "events", Duration.ofMillis(500)))
            .isEqualTo(Outcome.UNCHECKED);
    }

    @Test
    void aLoginTheStoreRefusesIsReportedAndDoesNotStopTheStart() {
        // the emulator has no users: the source meets the same refusal, and the job restarts until it is put right
        MongoConnection mongo = new MongoConnection(MONGO.connectionString(), "svc", "not-a-password");

        assertThat(EventCollection.ensureExists(mongo, "es_login", "events")).isEqualTo(Outcome.UNCHECKED);
    }
}
