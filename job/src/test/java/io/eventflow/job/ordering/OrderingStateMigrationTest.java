package io.eventflow.job.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.eventflow.job.model.EventEnvelope;

/**
 * Savepoints taken by an earlier version of the ordering operator restore into this one. The snapshot under
 * {@code src/test/resources/savepoints} was written by the ordering operator as it was before the hardening of issue
 * #13 (with {@link #writeTheSnapshotOfThisVersion()}, run once with {@code -Dwrite.snapshots=true}) and is never
 * rewritten: it holds aggregate a (1 emitted, 3 and 5 buffered, a gap timer), b (2 buffered) and c (3 emitted), and
 * the operator state of that version.
 */
class OrderingStateMigrationTest {

    static final Path BEFORE_HARDENING = Path.of("src", "test", "resources", "savepoints",
        "ordering-before-hardening.snapshot");
    private static final Duration GAP_TIMEOUT = Duration.ofSeconds(10);
    private static final long T0 = 1_000_000;

    @Test
    void aSnapshotTakenBeforeTheHardeningRestoresWithEveryAggregatesPositionAndBuffer() throws Exception {
        InMemoryGapFiller store = new InMemoryGapFiller(UUID.randomUUID().toString());
        store.store(OrderingFunctionTest.event("a", 4));
        OperatorSubtaskState snapshot = OperatorSnapshotUtil.readStateHandle(BEFORE_HARDENING.toString());
        OrderingFunction function = new OrderingFunction(OrderingFunctionTest.settings(GapPolicy.WAIT, 100), store);
        try (var harness = harness(function)) {
            harness.initializeState(snapshot);
            harness.open();
            harness.setProcessingTime(T0 + 1);

            send(harness, OrderingFunctionTest.event("a", 1), OrderingFunctionTest.event("a", 2),
                OrderingFunctionTest.event("b", 1), OrderingFunctionTest.event("c", 3), OrderingFunctionTest.event("c", 4));
            assertThat(emitted(harness)).containsExactly("a#2", "a#3", "b#1", "b#2", "c#4");

            // the gap at a#4 was open when the snapshot was taken: its restored timer reads it from the store
            harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() * 2);
            assertThat(emitted(harness)).containsExactly("a#2", "a#3", "b#1", "b#2", "c#4", "a#4", "a#5");
            // the restored gaps were counted when their aggregates were touched: the gauges end at 0, never below
            assertThat(function.openGaps()).isZero();
            assertThat(function.bufferedEvents()).isZero();
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    /** Writes the snapshot of the operator as it is now; run by hand, with {@code -Dwrite.snapshots=true}. */
    @Test
    @EnabledIfSystemProperty(named = "write.snapshots", matches = "true")
    void writeTheSnapshotOfThisVersion() throws Exception {
        InMemoryGapFiller store = new InMemoryGapFiller(UUID.randomUUID().toString());
        try (var harness = harness(new OrderingFunction(OrderingFunctionTest.settings(GapPolicy.WAIT, 100), store))) {
            harness.open();
            harness.setProcessingTime(T0);
            send(harness, OrderingFunctionTest.event("a", 1), OrderingFunctionTest.event("a", 3),
                OrderingFunctionTest.event("a", 5), OrderingFunctionTest.event("b", 2), OrderingFunctionTest.event("c", 1),
                OrderingFunctionTest.event("c", 2), OrderingFunctionTest.event("c", 3));
            OperatorSubtaskState snapshot = harness.snapshot(1, T0);
            Files.createDirectories(BEFORE_HARDENING.getParent());
            OperatorSnapshotUtil.writeStateHandle(snapshot, BEFORE_HARDENING.toString());
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness(
        OrderingFunction function) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
            event -> event.aggregateId, Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness,
                             EventEnvelope... events) throws Exception {
        for (EventEnvelope event : events) {
            harness.processElement(event, 0);
        }
    }

    private static List<String> emitted(KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness) {
        return harness.extractOutputValues().stream().map(event -> event.aggregateId + "#" + event.sequenceNo).toList();
    }
}
