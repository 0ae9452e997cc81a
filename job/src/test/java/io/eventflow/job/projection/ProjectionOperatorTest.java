package io.eventflow.job.projection;

import static io.eventflow.job.testing.Events.event;
import static io.eventflow.job.testing.Events.failing;
import static io.eventflow.job.testing.Events.tallied;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.readmodel.ReadModelDocuments;
import io.eventflow.job.testing.Events;
import io.eventflow.job.testing.Tally;

/** The per-aggregate projection operator in Flink's keyed operator test harness. */
class ProjectionOperatorTest {

    private static final ProjectionFailures.Settings FAILURES = new ProjectionFailures.Settings(10_000, 2_000);

    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ReadModelUpdate> harness;

    private static KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ReadModelUpdate> harness(long flushInterval)
        throws Exception {
        ProjectionRegistry registry = ProjectionRegistry.of(Tally.UPCASTERS, new Tally(), new StreamSummaryProjection());
        KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, ReadModelUpdate> harness =
            new KeyedOneInputStreamOperatorTestHarness<>(new ProjectionOperator(registry, FAILURES, FlushPolicy.every(flushInterval, 1000)),
                event -> event.aggregateId, Types.STRING);
        harness.setProcessingTime(1_000);
        return harness;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void everyProjectionEmitsItsDocumentWithTheVersionFields() throws Exception {
        open(0);
        send(tallied("a1", 1, "12.50"));

        List<ReadModelUpdate> updates = harness.extractOutputValues();
        assertThat(updates).extracting(update -> update.projection + "@" + update.lastSequenceNo)
            .containsExactly("tally@1", "stream-summary@1");
        BsonDocument tally = ReadModelDocuments.decode(updates.get(0).document);
        assertThat(tally.getString("_id").getValue()).isEqualTo("a1");
        assertThat(tally.getInt64("count").getValue()).isEqualTo(1);
        assertThat(tally.getDecimal128("total").getValue().bigDecimalValue()).isEqualTo(new BigDecimal("12.50"));
        assertThat(tally.getInt64("lastSequenceNo").getValue()).isEqualTo(1);
        assertThat(tally.getString("lastEventId").getValue()).isEqualTo("a1-1");
        assertThat(tally.getDateTime("updatedAt").getValue()).isEqualTo(Events.OCCURRED_AT + 1000);
    }

    @Test
    void anUnhandledEventAdvancesAnExistingReadModelButCreatesNone() throws Exception {
        open(0);
        send(event("c1", 1, "CustomerRegistered", "{}"), tallied("a1", 1, "1"), event("a1", 2, "Noted", "{}"));

        assertThat(updates()).containsExactly("stream-summary:c1@1", "tally:a1@1", "stream-summary:a1@1", "tally:a1@2",
            "stream-summary:a1@2");
    }

    @Test
    void anOlderSchemaVersionIsUpcastBeforeTheProjectionReadsIt() throws Exception {
        open(0);
        send(event("a1", 1, Tally.TALLIED, 1, "{\"amt\": 7.25}"));

        assertThat(document("tally", "a1").getDecimal128("total").getValue().bigDecimalValue())
            .isEqualTo(new BigDecimal("7.25"));
    }

    static Stream<Arguments> userCodeFailures() {
        return Stream.of(
            Arguments.of("handles throws", event("a1", 2, Tally.BROKEN, "{\"amount\": 10}"), "handles failed"),
            Arguments.of("apply throws", failing("a1", 2, "10", "apply"), "apply failed"),
            Arguments.of("apply throws after changing the state", failing("a1", 2, "10", "apply-after-change"),
                "failed half-way through a1-2"),
            Arguments.of("apply returns null", failing("a1", 2, "10", "null"), "apply returned null"),
            Arguments.of("toDocument throws", failing("a1", 2, "10", "toDocument"), "toDocument failed"),
            Arguments.of("the document cannot be encoded", failing("a1", 2, "10", "encode"),
                "which Decimal128 cannot hold exactly"),
            Arguments.of("the schema version is unknown", event("a1", 2, Tally.TALLIED, 9, "{\"amount\": 10}"),
                "schemaVersion 9 of Tallied is newer than this code knows (v2)"),
            Arguments.of("the payload is not JSON", event("a1", 2, Tally.TALLIED, 2, "{not json"), "is not JSON"));
    }

    @ParameterizedTest(name = "{0}, flushed after every event")
    @MethodSource("userCodeFailures")
    void whateverTheProjectionThrowsTheEventIsDeadLetteredAndTheStateIsAsBefore(String failure, EventEnvelope bad,
                                                                              String reason) throws Exception {
        open(0);
        assertFailureIsIsolated(bad, reason);
    }

    @ParameterizedTest(name = "{0}, in a mini-batch")
    @MethodSource("userCodeFailures")
    void whateverTheProjectionThrowsInAMiniBatchTheOtherEventsOfTheBatchCount(String failure, EventEnvelope bad,
                                                                            String reason) throws Exception {
        open(100);
        assertFailureIsIsolated(bad, reason);
    }

    private void assertFailureIsIsolated(EventEnvelope bad, String reason) throws Exception {
        send(tallied("a1", 1, "1"), bad, tallied("a1", 3, "100"));
        harness.setProcessingTime(2_000);

        BsonDocument tally = document("tally", "a1");
        assertThat(tally.getInt64("count").getValue()).as("the bad event is not counted").isEqualTo(2);
        assertThat(tally.getDecimal128("total").getValue().bigDecimalValue()).isEqualTo(new BigDecimal("101"));
        assertThat(tally.getString("lastNote").getValue()).isEqualTo("n3");
        assertThat(tally.getInt64("lastSequenceNo").getValue()).isEqualTo(3);
        assertThat(document("stream-summary", "a1").getInt64("eventCount").getValue())
            .as("the other projection sees every event").isEqualTo(3);
        List<DeadLetter> deadLetters = deadLetters();
        assertThat(deadLetters).extracting(letter -> letter.stage + " " + letter.aggregateId + "#" + letter.sequenceNo)
            .containsExactly("projection:tally a1#2");
        assertThat(deadLetters.get(0).reason).contains(reason);
        assertThat(deadLetters.get(0).rawDocument).contains("\"eventType\": \"" + bad.eventType + "\"");
    }

    @Test
    void aFailureCannotChangeTheStoredStateEvenWhenTheBatchStartsFromIt() throws Exception {
        open(100);
        send(tallied("a1", 1, "1"));
        harness.setProcessingTime(1_100); // flushed: the state is in Flink's keyed state now
        send(failing("a1", 2, "10", "apply-after-change"));
        harness.setProcessingTime(1_200);
        send(tallied("a1", 3, "100"));
        harness.setProcessingTime(1_300);

        assertThat(document("tally", "a1").getInt64("count").getValue()).isEqualTo(2);
        assertThat(document("tally", "a1").getDecimal128("total").getValue().bigDecimalValue())
            .isEqualTo(new BigDecimal("101"));
    }

    @Test
    void aFailureInTheInitialStateDeadLettersTheEventAndCreatesNoReadModel() throws Exception {
        open(0);
        send(tallied("no-initial-state-1", 1, "1"));

        assertThat(updates()).containsExactly("stream-summary:no-initial-state-1@1");
        assertThat(deadLetters()).extracting(letter -> letter.reason)
            .containsExactly("initialState failed: java.lang.IllegalArgumentException: no initial state for no-initial-state-1");
    }

    @Test
    void aRestoredOperatorCarriesOnFromTheCheckpointedState() throws Exception {
        open(100);
        send(tallied("a1", 1, "1"), failing("a1", 2, "10", "toDocument"));
        harness.prepareSnapshotPreBarrier(1); // as the task does before the barrier: the batch is flushed into state
        OperatorSubtaskState snapshot = harness.snapshot(1, 1_050);
        harness.close();

        harness = harness(100);
        harness.initializeState(snapshot);
        harness.open();
        send(tallied("a1", 3, "100"));
        harness.setProcessingTime(2_000);

        BsonDocument tally = document("tally", "a1");
        assertThat(tally.getInt64("count").getValue()).isEqualTo(2);
        assertThat(tally.getInt64("lastSequenceNo").getValue()).isEqualTo(3);
    }

    @Test
    void changesAreCoalescedIntoOneWriteOfTheNewestVersionPerFlushInterval() throws Exception {
        open(100);
        send(tallied("a1", 1, "1"), tallied("a1", 2, "2"), event("a1", 3, "Noted", "{}"));
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(1_100);
        assertThat(updates()).containsExactly("tally:a1@3", "stream-summary:a1@3");
        assertThat(document("tally", "a1").getInt64("count").getValue()).isEqualTo(2);

        harness.setProcessingTime(1_300);
        assertThat(harness.extractOutputValues()).as("nothing changed since the flush").hasSize(2);
        send(tallied("a1", 4, "4"));
        harness.setProcessingTime(1_400);
        assertThat(updates()).containsExactly("tally:a1@3", "stream-summary:a1@3", "tally:a1@4", "stream-summary:a1@4");
    }

    @Test
    void aPlaceholderMovesAnExistingReadModelPastItsPositionButIsNotProjected() throws Exception {
        open(0);
        send(EventEnvelope.placeholder("a0", 1, "bad", 0, false), tallied("a1", 1, "1"),
            EventEnvelope.placeholder("a1", 2, "bad", 0, false));

        assertThat(updates()).containsExactly("tally:a1@1", "stream-summary:a1@1", "tally:a1@2", "stream-summary:a1@2");
        assertThat(document("tally", "a1").getInt64("count").getValue()).isEqualTo(1);
        assertThat(document("tally", "a1").getString("lastEventId").getValue()).isEqualTo("bad");
        assertThat(document("tally", "a1").getDateTime("updatedAt").getValue())
            .as("the time of the last event that occurred").isEqualTo(Events.OCCURRED_AT + 1000);
    }

    @Test
    void aProjectionsOwnIdOrVersionFieldIsRefusedNamingTheField() throws Exception {
        Tally withId = new Tally() {
            @Override
            public Map<String, ?> toDocument(State state) {
                return Map.of("_id", "mine", "count", state.count);
            }
        };
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new ProjectionOperator(
            ProjectionRegistry.of(Tally.UPCASTERS, withId), FAILURES, FlushPolicy.every(0, 1000)), event -> event.aggregateId, Types.STRING);
        harness.open();
        send(tallied("a1", 1, "1"));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters()).extracting(letter -> letter.reason).singleElement().asString()
            .contains("field '_id' is the job's own");
    }

    /**
     * Behind the store (a backlog, a restore), the batch is written at the catch-up interval, so that each write carries
     * more of an aggregate's events; once the events are fresh, at the normal interval again.
     */
    @Test
    void whileCatchingUpTheBatchIsWrittenLessOften() throws Exception {
        ProjectionRegistry registry = ProjectionRegistry.of(Tally.UPCASTERS, new Tally(), new StreamSummaryProjection());
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new ProjectionOperator(registry, FAILURES,
            new FlushPolicy(100, 1000, 2000, 1000)), event -> event.aggregateId, Types.STRING);
        harness.setProcessingTime(100_000);
        harness.open();
        send(committedAt(tallied("a1", 1, "1"), 10_000), committedAt(tallied("a1", 2, "1"), 10_000));
        harness.setProcessingTime(100_100);
        harness.setProcessingTime(100_900);
        assertThat(updates()).as("90 s behind: held for the catch-up interval").isEmpty();
        harness.setProcessingTime(101_000);
        assertThat(updates()).containsExactly("tally:a1@2", "stream-summary:a1@2");

        send(committedAt(tallied("a1", 3, "1"), 101_000));
        harness.setProcessingTime(101_100);
        assertThat(updates()).as("caught up: the normal interval").hasSize(4).endsWith("stream-summary:a1@3");
    }

    private static EventEnvelope committedAt(EventEnvelope event, long commitMillis) {
        event.clusterTime = commitMillis / 1000 << 32 | 1;
        event.occurredAtMillis = commitMillis;
        return event;
    }

    private void open(long flushInterval) throws Exception {
        harness = harness(flushInterval);
        harness.open();
    }

    private void send(EventEnvelope... events) throws Exception {
        for (EventEnvelope event : events) {
            harness.processElement(new StreamRecord<>(event));
        }
    }

    private List<String> updates() {
        return harness.extractOutputValues().stream()
            .map(update -> update.projection + ":" + update.aggregateId + "@" + update.lastSequenceNo).toList();
    }

    /** The newest document of a projection and aggregate. */
    private BsonDocument document(String projection, String aggregateId) {
        List<ReadModelUpdate> updates = harness.extractOutputValues().stream()
            .filter(update -> update.projection.equals(projection) && update.aggregateId.equals(aggregateId)).toList();
        assertThat(updates).as("updates of %s %s", projection, aggregateId).isNotEmpty();
        return ReadModelDocuments.decode(updates.get(updates.size() - 1).document);
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(ProjectionOperator.DEAD_LETTERS) == null ? List.of()
            : harness.getSideOutput(ProjectionOperator.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
    }
}
