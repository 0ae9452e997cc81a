package io.eventflow.job.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.GapAlert;

class OrderingFunctionTest {

    private static final Duration GAP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SNAPSHOT_GAP_TIMEOUT = Duration.ofMinutes(5);
    private static final long T0 = 1_000_000;

    private InMemoryGapFiller store;
    private OrderingFunction function;
    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness;

    @BeforeEach
    void setUp() throws Exception {
        store = new InMemoryGapFiller(UUID.randomUUID().toString());
        harness = harness(GapPolicy.WAIT, 100);
        harness.open();
        harness.setProcessingTime(T0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness(GapPolicy policy,
                                                                                                int maxBuffered) throws Exception {
        return harness(settings(policy, maxBuffered));
    }

    private KeyedOneInputStreamOperatorTestHarness<String, EventEnvelope, EventEnvelope> harness(OrderingSettings settings)
        throws Exception {
        function = new OrderingFunction(settings, store);
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), event -> event.aggregateId,
            Types.STRING);
    }

    static OrderingSettings settings(GapPolicy policy, int maxBuffered) {
        return new OrderingSettings(GAP_TIMEOUT, SNAPSHOT_GAP_TIMEOUT, policy, maxBuffered, 1000);
    }

    @Test
    void eventsInOrderPassStraightThrough() throws Exception {
        send(event("a", 1), event("a", 2), event("b", 1), event("a", 3));

        assertThat(emitted()).containsExactly("a#1", "a#2", "b#1", "a#3");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void reversedEventsComeOutInOrderAndTheBufferEmpties() throws Exception {
        send(event("a", 5), event("a", 4), event("a", 3), event("a", 2));
        assertThat(emitted()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        send(event("a", 1));

        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4", "a#5");
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).as("only the last emitted sequenceNo is kept").isEqualTo(1);
    }

    @Test
    void duplicatesAreDroppedWhetherAlreadyEmittedOrBuffered() throws Exception {
        send(event("a", 1), event("a", 1), event("a", 3), event("a", 3), event("a", 2), event("a", 2), event("a", 1));

        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
    }

    @Test
    void aGapStillOpenAfterTheTimeoutIsFilledFromTheStoreReadingOnlyTheHole() throws Exception {
        store.store(event("a", 2));
        send(event("a", 1), event("a", 3), event("a", 4));
        assertThat(emitted()).containsExactly("a#1");

        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() - 1);
        assertThat(store.reads()).isEmpty();
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());

        assertThat(store.reads()).as("only the missing event, not the buffered ones after it").containsExactly("2..2");
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void anEventArrivingBeforeTheTimeoutClosesTheGapWithoutReadingTheStore() throws Exception {
        send(event("a", 1), event("a", 3));
        harness.setProcessingTime(T0 + 5_000);
        send(event("a", 2));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() * 3);

        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
        assertThat(store.reads()).isEmpty();
    }

    @Test
    void theTimerOfAClosedGapDoesNotCutShortALaterGapOfTheSameAggregate() throws Exception {
        store.store(event("a", 4));
        send(event("a", 1), event("a", 3));                 // gap at 2 opens at T0, its timer at T0 + 10 s
        harness.setProcessingTime(T0 + 5_000);
        send(event("a", 2));                                // closes it
        harness.setProcessingTime(T0 + 8_000);
        send(event("a", 5));                                // a new gap at 4 opens at T0 + 8 s

        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        assertThat(store.reads()).as("the first gap's timer must not read for the second gap").isEmpty();
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");

        harness.setProcessingTime(T0 + 8_000 + GAP_TIMEOUT.toMillis());
        assertThat(store.reads()).containsExactly("4..4");
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4", "a#5");
    }

    @Test
    void waitAlertsOnceRetriesWithBackoffAndDrainsWhenTheEventArrives() throws Exception {
        send(event("a", 1), event("a", 3), event("a", 4));
        for (int tick = 1; tick <= 8; tick++) {
            harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() * tick);
        }

        List<GapAlert> alerts = alerts();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0)).satisfies(alert -> {
            assertThat(alert.aggregateId).isEqualTo("a");
            assertThat(alert.missingFrom).isEqualTo(2);
            assertThat(alert.missingTo).isEqualTo(2);
            assertThat(alert.bufferedEvents).isEqualTo(2);
            assertThat(alert.action).isEqualTo("waiting");
        });
        assertThat(store.reads()).as("read after 10 s, then 10, 20 and 40 s later (at 10, 20, 40 and 80 s)").hasSize(4);
        assertThat(function.overdueGaps()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).as("one live timer").isEqualTo(1);
        assertThat(emitted()).containsExactly("a#1");

        send(event("a", 2));
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void skipEmitsPastTheGapWithAnAlert() throws Exception {
        reopen(GapPolicy.SKIP, 100);
        send(event("a", 1), event("a", 4), event("a", 6));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() + 1); // the next hole is read at once

        assertThat(emitted()).containsExactly("a#1", "a#4", "a#6");
        assertThat(alerts()).extracting(alert -> alert.missingFrom + ".." + alert.missingTo + " " + alert.action)
            .containsExactly("2..3 skipped", "5..5 skipped");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void skipPassesOnlyThePositionsTheStoreWasReadForAndNotTheEventsItHasBehindThem() throws Exception {
        reopen(GapPolicy.SKIP, 100);
        store.store(event("a", 5));
        store.store(event("a", 6));
        store.store(event("a", 7));
        send(event("a", 1), event("a", 8));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() + 1);

        assertThat(alerts()).extracting(alert -> alert.missingFrom + ".." + alert.missingTo + " " + alert.action)
            .containsExactly("2..4 skipped");
        assertThat(emitted()).containsExactly("a#1", "a#5", "a#6", "a#7", "a#8");
    }

    @Test
    void aSkippedEventThatArrivesLaterIsDeadLetteredAndCountedNotDroppedAsADuplicate() throws Exception {
        reopen(GapPolicy.SKIP, 100);
        send(event("a", 1), event("a", 4));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        assertThat(emitted()).containsExactly("a#1", "a#4");

        send(event("a", 2), event("a", 2), event("a", 1));

        assertThat(emitted()).hasSize(2);
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.stage).isEqualTo("ordering");
            assertThat(letter.reason).isEqualTo("event 2 of aggregate 'a' arrived after its position was skipped "
                + "(ordering.gap-policy SKIP): it was neither projected nor published");
            assertThat(letter.aggregateId + "#" + letter.sequenceNo).isEqualTo("a#2");
            assertThat(letter.rawDocument).contains("\"eventId\":\"a-2\"");
        });
        assertThat(function.eventsArrivedAfterSkipTotal()).as("counted once; its second copy is a duplicate").isEqualTo(1);
    }

    @Test
    void failFailsTheJobNamingTheAggregateAndTheMissingRange() throws Exception {
        reopen(GapPolicy.FAIL, 100);
        send(event("order-7", 1), event("order-7", 4));

        assertThatThrownBy(() -> harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis()))
            .hasStackTraceContaining("Aggregate 'order-7' is missing events 2..3")
            .hasStackTraceContaining("ordering.gap-policy FAIL");
    }

    @Test
    void snapshotGapsAreLeftToTheSnapshotUntilTheSnapshotGapTimeout() throws Exception {
        store.store(event("a", 1));
        send(snapshotEvent("a", 3), snapshotEvent("a", 2));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() * 5);
        assertThat(store.reads()).as("no store reads during the snapshot phase").isEmpty();

        harness.setProcessingTime(T0 + SNAPSHOT_GAP_TIMEOUT.toMillis());
        assertThat(store.reads()).containsExactly("1..1");
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
    }

    @Test
    void aStreamEventTurnsASnapshotGapIntoARealOne() throws Exception {
        store.store(event("a", 1));
        send(snapshotEvent("a", 2));
        harness.setProcessingTime(T0 + 1_000);
        send(event("a", 3));

        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        assertThat(store.reads()).containsExactly("1..1");
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
    }

    @Test
    void pastTheBufferBoundEventsAreLeftInTheStoreWithAnAlertAndTheReadIsBroughtForward() throws Exception {
        reopen(GapPolicy.WAIT, 3);
        store.store(event("a", 2));
        store.store(event("a", 6));
        send(event("a", 1), event("a", 3), event("a", 4), event("a", 5));
        send(event("a", 6));
        assertThat(store.reads()).as("never read for an incoming event").isEmpty();
        assertThat(function.bufferedEvents()).isEqualTo(3);
        assertThat(alerts()).extracting(alert -> alert.missingFrom + ".." + alert.missingTo + " " + alert.action)
            .containsExactly("2..2 buffer-full");

        harness.setProcessingTime(T0 + 1);
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4", "a#5");
        harness.setProcessingTime(T0 + 2);

        assertThat(store.reads()).as("the hole, then the event left in the store").containsExactly("2..2", "6..6");
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3", "a#4", "a#5", "a#6");
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(function.bufferedEvents()).isZero();
        assertThat(function.openGaps()).isZero();
    }

    @Test
    void aHotAggregateBehindAPermanentGapBuffersAtMostTheBoundAndReadsTheStoreOnlyFromItsTimerWithBackoff()
        throws Exception {
        reopen(settings(GapPolicy.WAIT, 3).withFillPageSize(50));
        send(event("a", 1));
        for (long sequenceNo = 3; sequenceNo <= 200; sequenceNo++) {
            store.store(event("a", sequenceNo));
            send(event("a", sequenceNo));
            assertThat(harness.numProcessingTimeTimers()).as("one live timer").isEqualTo(1);
        }
        assertThat(store.reads()).as("198 events, no read").isEmpty();
        assertThat(function.bufferedEvents()).isEqualTo(3);
        for (long tick = 1; tick <= 60; tick++) {
            harness.setProcessingTime(T0 + tick * 1000);
        }
        // brought forward once at the bound (T0 + 1 ms), then after 10 s and 20 s: the next one is due after 40 s more
        assertThat(store.reads()).containsExactly("2..2", "2..2", "2..2");
        assertThat(alerts()).extracting(alert -> alert.action).containsExactly("buffer-full", "waiting");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // the missing event turns up: the buffer drains, then the events left in the store are read, a page at a time
        store.store(event("a", 2));
        send(event("a", 2));
        for (long tick = 1; tick <= 5; tick++) {
            harness.setProcessingTime(T0 + 60_000 + tick);
        }
        assertThat(store.reads()).containsExactly("2..2", "2..2", "2..2", "6..55", "56..105", "106..155", "156..200");
        assertThat(emitted()).containsExactlyElementsOf(range("a", 1, 200));
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(function.overdueGaps()).isZero();
    }

    @Test
    void inTheSnapshotPhaseTheBufferIsBoundedTooAndAShuffledHistoryIsReadAPageAtATime() throws Exception {
        reopen(settings(GapPolicy.WAIT, 5).withFillPageSize(20));
        List<EventEnvelope> history = new ArrayList<>();
        for (long sequenceNo = 1; sequenceNo <= 100; sequenceNo++) {
            store.store(event("a", sequenceNo));
            history.add(snapshotEvent("a", sequenceNo));
        }
        Collections.shuffle(history, new Random(3));
        long mostBuffered = 0;
        for (EventEnvelope event : history) {
            send(event);
            mostBuffered = Math.max(mostBuffered, function.bufferedEvents());
            harness.setProcessingTime(harness.getProcessingTime() + 1);
        }
        harness.setProcessingTime(harness.getProcessingTime() + 10);

        assertThat(mostBuffered).isLessThanOrEqualTo(5);
        assertThat(emitted()).containsExactlyElementsOf(range("a", 1, 100));
        assertThat(store.reads()).as("reads, each of one page at most").hasSizeLessThan(20).allSatisfy(read -> {
            String[] bounds = read.split("\\.\\.");
            assertThat(Long.parseLong(bounds[1]) - Long.parseLong(bounds[0])).isLessThan(20);
        });
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(function.bufferedEvents()).isZero();
    }

    @Test
    void aFailingStoreIsRetriedWithExponentialBackoffUpToTheMaximum() throws Exception {
        reopen(settings(GapPolicy.WAIT, 100).withMaxFillBackoff(Duration.ofSeconds(30)));
        store.store(event("a", 2));
        store.failNextReads(5);
        send(event("a", 1), event("a", 3));

        List<Long> readTimes = new ArrayList<>();
        for (long second = 1; second <= 130; second++) {
            int before = store.reads().size();
            harness.setProcessingTime(T0 + second * 1000);
            if (store.reads().size() > before) {
                readTimes.add(second);
            }
        }

        assertThat(readTimes).as("seconds after the gap opened").containsExactly(10L, 20L, 40L, 70L, 100L, 130L);
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
        assertThat(function.overdueGaps()).isZero();
    }

    @Test
    void aFailedStoreReadIsRetriedAfterTheGapTimeout() throws Exception {
        store.store(event("a", 2));
        store.failNextReads(1);
        send(event("a", 1), event("a", 3));

        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());
        assertThat(emitted()).containsExactly("a#1");
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis() * 2);

        assertThat(store.reads()).hasSize(2);
        assertThat(emitted()).containsExactly("a#1", "a#2", "a#3");
        assertThat(alerts()).isEmpty();
    }

    @Test
    void placeholdersTakeTheirPositionAndAreNotEmitted() throws Exception {
        send(event("a", 1), event("a", 3), EventEnvelope.placeholder("a", 2, "bad", 0, false));

        assertThat(emitted()).containsExactly("a#1", "a#3");
        assertThat(store.reads()).isEmpty();
    }

    @Test
    void anInvalidEventReadFromTheStoreIsDeadLetteredAndItsPositionPassed() throws Exception {
        store.storeInvalid("a", 2, "field 'eventType' is missing");
        send(event("a", 1), event("a", 3));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());

        assertThat(emitted()).containsExactly("a#1", "a#3");
        assertThat(deadLetters()).extracting(letter -> letter.stage + ": " + letter.reason + " " + letter.aggregateId + "#"
            + letter.sequenceNo).containsExactly("gap-fill: field 'eventType' is missing a#2");
        assertThat(function.eventsOrderedTotal()).as("its position counts as put in order").isEqualTo(3);
    }

    @Test
    void startedAtLatestAnAggregatesFirstNewEventIsEmittedAtOnceWithoutReadingItsHistory() throws Exception {
        reopen(settings(GapPolicy.WAIT, 100).withStart(StartPosition.firstEventAfter(0)));
        send(event("old", 57), event("old", 58), event("new", 1), event("old", 60));
        harness.setProcessingTime(T0 + GAP_TIMEOUT.toMillis());

        assertThat(emitted()).containsExactly("old#57", "old#58", "new#1");
        assertThat(store.reads()).as("only the real gap after the first new event").containsExactly("59..59");
        assertThat(function.eventsOrderedTotal()).isEqualTo(3);
    }

    @Test
    void startedAtATimestampAnAggregateStartsAtItsFirstEventCommittedAtOrAfterItAndSnapshotEventsFromTheBeginning()
        throws Exception {
        long start = 1_700_000_000L << 32;
        reopen(settings(GapPolicy.WAIT, 100).withStart(StartPosition.firstEventAfter(start)));
        EventEnvelope atStart = event("a", 12);
        atStart.clusterTime = start;
        EventEnvelope before = event("b", 7);
        before.clusterTime = start - (1L << 32);
        send(atStart, before, snapshotEvent("c", 4));

        assertThat(emitted()).containsExactly("a#12");
        assertThat(function.openGaps()).as("b and c wait for their history").isEqualTo(2);
    }

    @Test
    void theStartPositionOfTheFirstStartIsKeptWhateverARestoredJobIsConfiguredWith() throws Exception {
        reopen(settings(GapPolicy.WAIT, 100).withStart(StartPosition.firstEventAfter(0)));
        send(event("a", 5));
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();

        harness = harness(settings(GapPolicy.WAIT, 100)); // configured INITIAL, as a recover-source restart is
        harness.initializeState(snapshot);
        harness.open();
        send(event("b", 9), event("a", 6));

        assertThat(function.startPosition()).isEqualTo(StartPosition.firstEventAfter(0));
        assertThat(emitted()).containsExactly("b#9", "a#6");
    }

    @Test
    void stateAndTimersSurviveASnapshotAndRestore() throws Exception {
        store.store(event("a", 4));
        send(event("a", 1), event("a", 3), event("a", 5), event("b", 2));
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();

        harness = harness(GapPolicy.WAIT, 100);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(T0 + 1);
        send(event("a", 1), event("a", 2));
        assertThat(emitted()).containsExactly("a#2", "a#3");
        send(event("b", 1));
        assertThat(emitted()).containsExactly("a#2", "a#3", "b#1", "b#2");

        harness.setProcessingTime(T0 + 1 + GAP_TIMEOUT.toMillis());
        assertThat(emitted()).containsExactly("a#2", "a#3", "b#1", "b#2", "a#4", "a#5");
    }

    // --- helpers ---

    private void reopen(GapPolicy policy, int maxBuffered) throws Exception {
        reopen(settings(policy, maxBuffered));
    }

    private void reopen(OrderingSettings settings) throws Exception {
        harness.close();
        harness = harness(settings);
        harness.open();
        harness.setProcessingTime(T0);
    }

    private List<DeadLetter> deadLetters() {
        var output = harness.getSideOutput(OrderingFunction.DEAD_LETTERS);
        return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
    }

    private static List<String> range(String aggregateId, long from, long to) {
        List<String> names = new ArrayList<>();
        for (long sequenceNo = from; sequenceNo <= to; sequenceNo++) {
            names.add(aggregateId + "#" + sequenceNo);
        }
        return names;
    }

    private void send(EventEnvelope... events) throws Exception {
        for (EventEnvelope event : events) {
            harness.processElement(event, 0);
        }
    }

    private List<String> emitted() {
        return harness.extractOutputValues().stream().map(event -> event.aggregateId + "#" + event.sequenceNo)
            .collect(Collectors.toList());
    }

    private List<GapAlert> alerts() {
        var output = harness.getSideOutput(OrderingFunction.GAP_ALERTS);
        return output == null ? List.of() : output.stream().map(StreamRecord::getValue).toList();
    }

    static EventEnvelope event(String aggregateId, long sequenceNo) {
        EventEnvelope event = new EventEnvelope();
        event.eventId = aggregateId + "-" + sequenceNo;
        event.aggregateId = aggregateId;
        event.sequenceNo = sequenceNo;
        event.eventType = "Test";
        event.schemaVersion = 1;
        event.payloadJson = "{}";
        event.metadataJson = "{}";
        return event;
    }

    static EventEnvelope snapshotEvent(String aggregateId, long sequenceNo) {
        EventEnvelope event = event(aggregateId, sequenceNo);
        event.snapshot = true;
        return event;
    }

}
