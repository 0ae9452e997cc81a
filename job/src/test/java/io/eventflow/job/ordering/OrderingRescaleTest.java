package io.eventflow.job.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.eventflow.job.model.EventEnvelope;

/**
 * The ordering state, gauges and totals of a savepoint taken at parallelism 2, restored at another parallelism: each
 * subtask gets the aggregates of its key groups with their buffers and gaps, and gauges that count exactly those.
 */
class OrderingRescaleTest {

    private static final int MAX_PARALLELISM = 128;
    private static final int AGGREGATES = 40;
    private static final long T0 = 1_000_000;

    private final InMemoryGapFiller store = new InMemoryGapFiller(UUID.randomUUID().toString());

    @ParameterizedTest(name = "2 -> {0}")
    @ValueSource(ints = {3, 1})
    void aSnapshotAtParallelism2RestoresAtAnotherWithEveryAggregatesGapAndGaugesOnTheSubtaskThatOwnsIt(int parallelism)
        throws Exception {
        // at parallelism 2: every aggregate has event 1 emitted and event 3 buffered behind a gap
        List<OperatorSubtaskState> snapshots = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            Subtask before = new Subtask(2, subtask);
            before.harness.initializeEmptyState();
            before.harness.open();
            before.harness.setProcessingTime(T0);
            for (String aggregate : aggregates()) {
                if (before.owns(aggregate)) {
                    before.send(OrderingFunctionTest.event(aggregate, 1), OrderingFunctionTest.event(aggregate, 3));
                }
            }
            assertThat(before.function.openGaps()).isEqualTo(before.owned());
            snapshots.add(before.harness.snapshot(1, T0));
            before.harness.close();
        }
        OperatorSubtaskState packaged = AbstractStreamOperatorTestHarness.repackageState(
            snapshots.toArray(OperatorSubtaskState[]::new));

        List<String> emitted = new ArrayList<>();
        long orderedTotal = 0;
        for (int subtask = 0; subtask < parallelism; subtask++) {
            Subtask after = new Subtask(parallelism, subtask);
            after.harness.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(packaged,
                MAX_PARALLELISM, 2, parallelism, subtask));
            after.harness.open();
            after.harness.setProcessingTime(T0 + 1);
            assertThat(after.function.openGaps()).as("open gaps on subtask %d of %d", subtask, parallelism)
                .isEqualTo(after.owned());
            assertThat(after.function.bufferedEvents()).isEqualTo(after.owned());

            for (String aggregate : aggregates()) {
                if (after.owns(aggregate)) {
                    after.send(OrderingFunctionTest.event(aggregate, 2), OrderingFunctionTest.event(aggregate, 1));
                }
            }
            assertThat(after.function.openGaps()).isZero();
            assertThat(after.function.bufferedEvents()).isZero();
            assertThat(after.harness.numProcessingTimeTimers()).isZero();
            after.harness.extractOutputValues().forEach(event -> emitted.add(event.aggregateId + "#" + event.sequenceNo));
            orderedTotal += after.function.eventsOrderedTotal();
            after.harness.close();
        }
        assertThat(emitted).hasSize(2 * AGGREGATES);
        for (String aggregate : aggregates()) {
            assertThat(emitted).containsSubsequence(aggregate + "#2", aggregate + "#3");
        }
        assertThat(orderedTotal).as("the running total, restored once").isEqualTo(3L * AGGREGATES);
    }

    private static List<String> aggregates() {
        List<String> aggregates = new ArrayList<>();
        for (int i = 0; i < AGGREGATES; i++) {
            aggregates.add("order-" + i);
        }
        return aggregates;
    }

    /** One parallel instance of the ordering operator. */
    private final class Subtask {
        final int parallelism;
        final int index;
        final OrderingFunction function;
        final KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness;

        Subtask(int parallelism, int index) throws Exception {
            this.parallelism = parallelism;
            this.index = index;
            this.function = new OrderingFunction(OrderingFunctionTest.settings(GapPolicy.WAIT, 100), store);
            this.harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                event -> event.aggregateId, Types.STRING, MAX_PARALLELISM, parallelism, index);
        }

        boolean owns(String aggregate) {
            return KeyGroupRangeAssignment.assignKeyToParallelOperator(aggregate, MAX_PARALLELISM, parallelism) == index;
        }

        long owned() {
            return aggregates().stream().filter(this::owns).count();
        }

        void send(EventEnvelope... events) throws Exception {
            for (EventEnvelope event : events) {
                harness.processElement(event, 0);
            }
        }
    }

    @Test
    void theSampleSpreadsOverEverySubtaskAtEachParallelism() {
        for (int parallelism : new int[] {1, 2, 3}) {
            for (int subtask = 0; subtask < parallelism; subtask++) {
                int index = subtask;
                assertThat(aggregates().stream().filter(aggregate -> KeyGroupRangeAssignment.assignKeyToParallelOperator(
                    aggregate, MAX_PARALLELISM, parallelism) == index)).as("aggregates of subtask %d of %d", subtask,
                    parallelism).isNotEmpty();
            }
        }
    }
}
