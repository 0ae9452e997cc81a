package io.eventflow.job.projection.crossaggregate;

import static io.eventflow.job.testing.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.testing.PerCategory;
import io.eventflow.job.testing.Tally;

/** Routing ordered events to the documents of cross-aggregate projections. */
class ContributionRouterTest {

    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, Contribution> harness;

    @BeforeEach
    void setUp() throws Exception {
        ContributionRouter router = new ContributionRouter(ProjectionCatalog.of(new PerCategory.Provider()).select(List.of()),
            new ProjectionFailures.Settings(10_000, 2_000));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(router),
            event -> event.aggregateId, Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void anEventGoesToEachDocumentItNamesOnceAndLaterEventsFollowTheirAggregate() throws Exception {
        send(tallied("a1", 1, "[\"books\", \"pens\", \"books\"]"), tallied("a2", 1, "[\"pens\"]"),
            tallied("a1", 2, null), event("a1", 3, "Noted", "{}"));

        assertThat(contributions()).containsExactly("per-category/books <- a1#1", "per-category/pens <- a1#1",
            "per-category/pens <- a2#1", "per-category/books <- a1#2", "per-category/pens <- a1#2",
            // not the projection's business: the documents a1 reached only learn that they have seen it
            "per-category/books <- a1#3 (position)", "per-category/pens <- a1#3 (position)");
    }

    @Test
    void anEventWithoutKeysOfItsOwnBeforeItsAggregateHadAnyGoesNowhere() throws Exception {
        send(tallied("a1", 1, null), tallied("a1", 2, "[]"));

        assertThat(contributions()).isEmpty();
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void keysThatCannotBeDocumentIdsAndExceptionsDeadLetterTheEventForTheProjection() throws Exception {
        send(tallied("a1", 1, "[null]"), tallied("a2", 1, "[\"\"]"),
            tallied("a3", 1, "[\"" + "k".repeat(DocumentKeys.MAX_KEY_CHARS + 1) + "\"]"),
            event("a4", 1, Tally.TALLIED, "{\"amount\": 1, \"fail\": \"keys\"}"),
            event("a5", 1, Tally.TALLIED, 9, "{\"amount\": 1}"), tallied("a6", 1, "[\"ok\"]"));

        assertThat(contributions()).containsExactly("per-category/ok <- a6#1");
        assertThat(deadLetters()).extracting(letter -> letter.stage + " " + letter.aggregateId + ": " + letter.reason)
            .containsExactly(
                "projection:per-category a1: documentKeys failed: java.lang.IllegalArgumentException: documentKeys returned a null key; a document key must be a non-empty string",
                "projection:per-category a2: documentKeys failed: java.lang.IllegalArgumentException: documentKeys returned an empty key; a document key must be a non-empty string",
                "projection:per-category a3: documentKeys failed: java.lang.IllegalArgumentException: documentKeys returned a key of 1025 characters ('kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'); at most 1024 are allowed",
                "projection:per-category a4: documentKeys failed: java.lang.IllegalArgumentException: no keys for a4-1",
                "projection:per-category a5: documentKeys failed: io.eventflow.projection.UnknownSchemaVersionException: schemaVersion 9 of Tallied is newer than this code knows (v2); deploy the projections with their upcasters first");
    }

    /** So that read-your-writes on a document completes for any event of an aggregate that reached it. */
    @Test
    void documentsAnEventDoesNotReachGetItsPositionOnly() throws Exception {
        send(EventEnvelope.placeholder("a9", 1, "bad", 0, false), tallied("a1", 1, "[\"books\"]"),
            EventEnvelope.placeholder("a1", 2, "bad", 0, false),
            event("a1", 3, Tally.TALLIED, "{\"amount\": 1, \"fail\": \"keys\"}"), tallied("a1", 4, "[\"pens\"]"));

        assertThat(contributions()).containsExactly("per-category/books <- a1#1",
            "per-category/books <- a1#2 (position)", // dead-lettered at the source
            "per-category/books <- a1#3 (position)", // dead-lettered by the projection
            "per-category/books <- a1#4 (position)", "per-category/pens <- a1#4"); // moved on
        assertThat(deadLetters()).hasSize(1);
    }

    private static EventEnvelope tallied(String aggregateId, long sequenceNo, String categories) {
        return event(aggregateId, sequenceNo, Tally.TALLIED, "{\"amount\": 1" + (categories == null ? ""
            : ", \"categories\": " + categories) + "}");
    }

    private void send(EventEnvelope... events) throws Exception {
        for (EventEnvelope event : events) {
            harness.processElement(new StreamRecord<>(event));
        }
    }

    private List<String> contributions() {
        return harness.extractOutputValues().stream().map(c -> c.projection + "/" + c.documentKey + " <- "
            + c.event.aggregateId + "#" + c.event.sequenceNo + (c.event.isPlaceholder() ? " (position)" : "")).toList();
    }

    private List<DeadLetter> deadLetters() {
        var output = harness.getSideOutput(ContributionRouter.DEAD_LETTERS);
        return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
    }
}
