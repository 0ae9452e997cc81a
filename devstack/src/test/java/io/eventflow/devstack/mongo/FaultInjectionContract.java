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

    @Test
    void aWriteConflictOnCommitIsLabelledSoTheClientRetriesTheWholeTransaction() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("commitTransaction")).append("errorCode", 112)));

        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, new Document("_id", "conflicting"));
            assertThatThrownBy(session::commitTransaction)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e)
                    .hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)).isTrue());
        }
    }

    @Test
    void labelsGivenInsideAWriteConcernErrorAreReportedAtTheTopLevel() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("insert"))
                .append("writeConcernError", new Document("code", 91).append("errmsg", "Replication is being shut down")
                    .append("errorLabels", List.of("RetryableWriteError")))));

        Document reply = database.runCommand(new Document("insert", "events")
            .append("documents", List.of(new Document("_id", "labelled"))));

        assertThat(reply.getList("errorLabels", String.class)).containsExactly("RetryableWriteError");
        assertThat(reply.get("writeConcernError", Document.class)).doesNotContainKey("errorLabels");
    }

    @Test
    void anInjectedInterruptionIsNamedInterrupted() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("count")).append("errorCode", 11601)));

        assertThatThrownBy(() -> database.runCommand(new Document("count", "events")))
            .isInstanceOf(MongoCommandException.class)
            .satisfies(e -> assertThat(((MongoCommandException) e).getErrorCodeName()).isEqualTo("Interrupted"));
    }

    @Test
    void aRetryableWriteWhoseConnectionDropsAfterItWasAppliedIsNotAppliedTwice() {
        configureServerFailPoint("onPrimaryTransactionalWrite", new Document("times", 1), new Document());

        events.insertOne(new Document("_id", "applied-then-dropped"));

        assertThat(events.countDocuments(new Document("_id", "applied-then-dropped"))).isEqualTo(1);
    }

    @Test
    void aRetryableWriteStatementFailedBeforeItWasAppliedIsAppliedByTheRetry() {
        configureServerFailPoint("onPrimaryTransactionalWrite", new Document("times", 1),
            new Document("failBeforeCommitExceptionCode", 1));

        events.insertMany(List.of(new Document("_id", "first"), new Document("_id", "second")));

        assertThat(events.countDocuments(new Document("_id", new Document("$in", List.of("first", "second")))))
            .isEqualTo(2);
    }

    @Test
    void aGetMoreFailingAfterItCheckedOutItsCursorIsResumableSoTheChangeStreamResumes() {
        configureServerFailPoint("failGetMoreAfterCursorCheckout", new Document("times", 1),
            new Document("errorCode", 6).append("closeConnection", false));

        try (com.mongodb.client.MongoChangeStreamCursor<com.mongodb.client.model.changestream.ChangeStreamDocument<Document>>
                 stream = events.watch().maxAwaitTime(200, java.util.concurrent.TimeUnit.MILLISECONDS).cursor()) {
            events.insertOne(new Document("_id", "after-resume"));

            assertThat(stream.next().getDocumentKey().getString("_id").getValue()).isEqualTo("after-resume");
        } finally {
            configureServerFailPoint("failGetMoreAfterCursorCheckout", "off", new Document());
        }
    }

    @Test
    void aGetMoreErrorInjectedByFailCommandIsNotResumableSoTheChangeStreamReportsIt() {
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("getMore")).append("errorCode", 6)));

        try (com.mongodb.client.MongoChangeStreamCursor<com.mongodb.client.model.changestream.ChangeStreamDocument<Document>>
                 stream = events.watch().maxAwaitTime(200, java.util.concurrent.TimeUnit.MILLISECONDS).cursor()) {
            events.insertOne(new Document("_id", "not-resumed"));

            assertThatThrownBy(stream::next)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(6));
        }
    }

    @Test
    void theCommandLineOptionsShowThatTestCommandsAreEnabled() {
        Document options = client.getDatabase("admin").runCommand(new Document("getCmdLineOpts", 1));

        assertThat(options.get("parsed", Document.class).get("setParameter", Document.class)
            .get("enableTestCommands")).hasToString("1");
    }

    private void configureServerFailPoint(String name, Object mode, Document data) {
        client.getDatabase("admin").runCommand(new Document("configureFailPoint", name).append("mode", mode)
            .append("data", data));
    }
}
