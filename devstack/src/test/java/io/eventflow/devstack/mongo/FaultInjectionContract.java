package io.eventflow.devstack.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;

/**
 * MongoDB's {@code failCommand} fail point, through the wire: the error codes, labels and connection drops that
 * drivers react to. Runs against the emulator and against a real MongoDB started with enableTestCommands.
 */
abstract class FaultInjectionContract extends MongoContract {

    private MongoCollection<Document> events;

    @BeforeEach
    void requireFailPoints() {
        assumeTrue(target().supportsFailPoints(), "fail points need enableTestCommands=1 on " + target().description());
        events = database.getCollection("events");
        events.insertOne(new Document("_id", "seed"));
    }

    @Test
    void anInjectedErrorReachesTheClientWithItsCodeAndLabels() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 112)
                .append("errorLabels", List.of("TransientTransactionError"))));

        assertThatThrownBy(() -> events.insertOne(new Document("_id", "x")))
            .isInstanceOf(MongoCommandException.class)
            .satisfies(e -> {
                MongoCommandException error = (MongoCommandException) e;
                assertThat(error.getErrorCode()).isEqualTo(112);
                assertThat(error.hasErrorLabel("TransientTransactionError")).isTrue();
            });
        assertThat(events.countDocuments(new Document("_id", "x"))).isZero();
        events.insertOne(new Document("_id", "x"));
        assertThat(events.countDocuments(new Document("_id", "x"))).isEqualTo(1);
    }

    @Test
    void aRetryableErrorIsLabelledSoTheDriverRetriesTheWriteOnce() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 91)));

        events.insertOne(new Document("_id", "retried"));

        assertThat(events.countDocuments(new Document("_id", "retried"))).isEqualTo(1);
    }

    @Test
    void aRetriedWriteThatHadAlreadySucceededIsNotAppliedTwice() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("insert"))
                .append("writeConcernError", new Document("code", 91).append("codeName", "ShutdownInProgress")
                    .append("errmsg", "Replication is being shut down"))));

        events.insertOne(new Document("_id", "once"));

        assertThat(events.countDocuments(new Document("_id", "once"))).isEqualTo(1);
    }

    @Test
    void aClosedConnectionIsANetworkErrorThatRetryableReadsSurvive() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("find")).append("closeConnection", true)));

        assertThat(events.find().into(new java.util.ArrayList<>())).hasSize(1);
    }

    @Test
    void aWriteConcernErrorOnCommitLeavesTheOutcomeUnknownButTheCommitHappened() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 2))
            .append("data", new Document("failCommands", List.of("commitTransaction"))
                .append("writeConcernError", new Document("code", 91).append("codeName", "ShutdownInProgress")
                    .append("errmsg", "Replication is being shut down"))));

        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, new Document("_id", "maybe"));
            assertThatThrownBy(session::commitTransaction)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e)
                    .hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)).isTrue());
        }
        assertThat(events.countDocuments(new Document("_id", "maybe"))).isEqualTo(1);
    }
}
