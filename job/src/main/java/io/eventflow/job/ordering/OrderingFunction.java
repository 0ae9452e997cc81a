package io.eventflow.job.ordering;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.GapAlert;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.source.DeadLetters;
import io.eventflow.job.source.EventDocumentReader;

/**
 * Restores each aggregate's order by {@code sequenceNo}, whatever order the change stream, the snapshot's parallel
 * chunks or a replay deliver events in. Keyed by aggregateId.
 *
 * <ul>
 *   <li>{@code seq <= last}: a duplicate; dropped and counted. Under SKIP, an event whose position was skipped is
 *       dead-lettered instead, since it was never emitted.</li>
 *   <li>{@code seq == last + 1}: emitted, then buffered successors are drained in order.</li>
 *   <li>{@code seq > last + 1}: buffered, up to {@code ordering.max-buffered-per-key} events per aggregate in both
 *       phases; past the bound an event is not buffered but left in the store (it is there: it came from it) and
 *       read when its turn comes, with a gap alert and the read brought forward. The gap's one timer fires after
 *       {@code ordering.gap-timeout} (among snapshot events, {@code ordering.snapshot-gap-timeout}).</li>
 *   <li>The timer reads the hole, and only the hole ({@code last + 1} up to the lowest buffered event, or up to the
 *       highest event seen when nothing is buffered), a page of at most {@code ordering.gap-fill.page-size} events
 *       per read, through the {@link GapFiller}, whose reads are bounded in time. While reads make progress the next
 *       page follows on the next timer; a read that fails or finds the hole in the store too is retried with
 *       exponential backoff from the gap timeout up to {@code ordering.gap-fill.max-backoff}. Store reads happen only
 *       from the timer, never for an incoming event.</li>
 *   <li>A hole the store has too follows the {@link GapPolicy}: WAIT (alert once, keep retrying with backoff), SKIP
 *       (alert, emit past it) or FAIL.</li>
 * </ul>
 *
 * <p>State per aggregate: the last emitted sequenceNo (kept forever: dropping it would let old events through
 * again), the open gap and the skipped ranges, in one value; a MapState buffer of early events. Placeholders of
 * dead-lettered events take their position and are not emitted. Where an aggregate without state starts is the
 * {@link StartPosition}, fixed when the job first starts and kept in operator state.
 */
public class OrderingFunction extends KeyedProcessFunction<String, EventEnvelope, EventEnvelope>
    implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(OrderingFunction.class);

    public static final OutputTag<GapAlert> GAP_ALERTS = new OutputTag<>("gap-alerts") {
    };
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("ordering-dead-letters") {
    };

    /** Keyed state names: savepoints map state by them, so they never change (see JobOperatorsTest). */
    public static final String STATE_NAME = "ordering";
    public static final String BUFFER_STATE_NAME = "early-events";

    private final OrderingSettings settings;
    private final GapFiller filler;

    private transient ValueState<OrderingState> state;
    private transient MapState<Long, EventEnvelope> buffer;

    private transient KeyGroupGauges gauges;
    private transient ListState<Long> gaugeState;
    private transient long maxOutOfOrderDistance;
    private transient ListState<Long> legacyGaugeState;
    private transient ListState<Long> totalsState;
    private transient long eventsOrderedTotal;
    private transient ListState<Long> arrivedAfterSkipState;
    private transient long eventsArrivedAfterSkipTotal;
    private transient ListState<Long> startState;
    private transient StartPosition start;
    private transient Counter duplicatesDropped;
    private transient Counter gapFills;
    private transient Counter gapFillReads;
    private transient Histogram gapFillReadMillis;
    private transient Counter eventsFilledFromStore;
    private transient Counter eventsDeferredToStore;
    private transient Counter gapFillFailures;
    private transient Counter gapAlerts;
    private transient Counter gapsSkipped;
    private transient Counter eventsEmitted;
    private transient Histogram commitToEmitMillis;

    public OrderingFunction(OrderingSettings settings, GapFiller filler) {
        this.settings = settings;
        this.filler = filler;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_NAME, TypeInformation.of(OrderingState.class)));
        buffer = getRuntimeContext().getMapState(new MapStateDescriptor<>(BUFFER_STATE_NAME, Types.LONG,
            TypeInformation.of(EventEnvelope.class)));

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge(JobMetrics.BUFFERED_EVENTS, () -> gauges.buffered());
        metrics.gauge(JobMetrics.OPEN_GAPS, () -> gauges.openGaps());
        metrics.gauge(JobMetrics.OVERDUE_GAPS, () -> gauges.overdueGaps());
        metrics.gauge(JobMetrics.MAX_OUT_OF_ORDER_DISTANCE, () -> maxOutOfOrderDistance);
        metrics.gauge(JobMetrics.EVENTS_ORDERED_TOTAL, () -> eventsOrderedTotal);
        metrics.gauge(JobMetrics.EVENTS_ARRIVED_AFTER_SKIP_TOTAL, () -> eventsArrivedAfterSkipTotal);
        metrics.gauge(JobMetrics.STARTS_AT_FIRST_NEW_EVENT, () -> start instanceof StartPosition.FirstEventAfter ? 1 : 0);
        duplicatesDropped = metrics.counter(JobMetrics.DUPLICATES_DROPPED);
        gapFills = metrics.counter(JobMetrics.GAP_FILLS);
        gapFillReads = metrics.counter(JobMetrics.GAP_FILL_READS);
        gapFillReadMillis = metrics.histogram(JobMetrics.GAP_FILL_READ_LATENCY_MS, new DescriptiveStatisticsHistogram(1000));
        eventsFilledFromStore = metrics.counter(JobMetrics.EVENTS_FILLED_FROM_STORE);
        eventsDeferredToStore = metrics.counter(JobMetrics.EVENTS_DEFERRED_TO_STORE);
        gapFillFailures = metrics.counter(JobMetrics.GAP_FILL_FAILURES);
        gapAlerts = metrics.counter(JobMetrics.GAP_ALERTS);
        gapsSkipped = metrics.counter(JobMetrics.GAPS_SKIPPED);
        eventsEmitted = metrics.counter(JobMetrics.EVENTS_EMITTED);
        commitToEmitMillis = metrics.histogram(JobMetrics.COMMIT_TO_EMIT_LATENCY_MS, new DescriptiveStatisticsHistogram(10_000));
        filler.open();
    }

    @Override
    public void close() throws Exception {
        filler.close();
    }

    @Override
    public void processElement(EventEnvelope event, Context context, Collector<EventEnvelope> out) throws Exception {
        OrderingState current = state.value();
        if (current == null) {
            current = new OrderingState();
            current.lastEmitted = start.lastBefore(event);
        }
        Keyed keyed = new Keyed(current, context);
        keyed.countRestoredGap();
        long sequenceNo = event.sequenceNo;
        if (sequenceNo <= current.lastEmitted) {
            if (!event.isPlaceholder() && SkippedRanges.contains(current.skipped, sequenceNo)) {
                arrivedAfterSkip(event, current, context);
                state.update(current);
            } else {
                duplicatesDropped.inc();
            }
            return;
        }
        if (sequenceNo == current.lastEmitted + 1) {
            emit(event, out);
            current.lastEmitted = sequenceNo;
            if (current.gap != null) {
                keyed.drain(out);
                keyed.afterProgress(current.gap.deferred > 0);
            }
            state.update(current);
            return;
        }
        GapState open = current.gap;
        if (open == null) {
            open = keyed.openGap(event.snapshot);
        }
        open.highestSeen = Math.max(open.highestKnown(), sequenceNo);
        if (buffer.contains(sequenceNo)) {
            duplicatesDropped.inc();
        } else if (open.buffered >= settings.maxBufferedPerKey()) {
            keyed.defer(event);
        } else {
            // with object reuse the caller may recycle the instance: keep a copy
            buffer.put(sequenceNo, event.copy());
            keyed.buffered(1);
            open.lowestBuffered = open.buffered == 1 ? sequenceNo
                : open.lowestBuffered == 0 ? 0 : Math.min(open.lowestBuffered, sequenceNo);
            open.highestBuffered = Math.max(open.highestBuffered, sequenceNo);
            maxOutOfOrderDistance = Math.max(maxOutOfOrderDistance, sequenceNo - (current.lastEmitted + 1));
        }
        if (open.fromSnapshot && !event.snapshot) {
            // the stream phase has reached this aggregate: its gap is now a real one
            open.fromSnapshot = false;
            long due = Math.max(open.openedAt + settings.gapTimeout().toMillis(), now(context) + 1);
            if (open.attempts == 0 && (open.timerAt == 0 || due < open.timerAt)) {
                keyed.schedule(due);
            }
        }
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<EventEnvelope> out) throws Exception {
        OrderingState current = state.value();
        GapState open = current == null ? null : current.gap;
        if (open == null || timestamp != open.timerAt) {
            return; // a timer of a gap that has closed or moved (savepoints of older versions may hold several)
        }
        open.timerAt = 0;
        Keyed keyed = new Keyed(current, context);
        keyed.countRestoredGap();
        keyed.fill(out);
        if (current.gap != null && current.gap.timerAt == 0) {
            keyed.schedule(timestamp + settings.gapTimeout().toMillis()); // never leave a gap without its timer
        }
        state.update(current);
    }

    /** One call's view of the current aggregate: its state, its key group, the context. */
    private final class Keyed {

        private final OrderingState current;
        private final Context context;
        private int keyGroup = -1;

        Keyed(OrderingState current, Context context) {
            this.current = current;
            this.context = context;
        }

        private String aggregateId() {
            return context.getCurrentKey();
        }

        private void count(long buffered, long openGaps, long overdueGaps) {
            if (keyGroup < 0) {
                keyGroup = gauges.keyGroupOf(aggregateId());
            }
            gauges.add(keyGroup, buffered, openGaps, overdueGaps);
        }

        void buffered(int delta) {
            current.gap.buffered += delta;
            count(delta, 0, 0);
        }

        /** A gap restored from a savepoint taken before the gauges were counted per key group: count it now. */
        void countRestoredGap() {
            GapState open = current.gap;
            if (open != null && !open.counted) {
                open.counted = true;
                count(open.buffered, 1, open.overdue ? 1 : 0);
            }
        }

        GapState openGap(boolean snapshot) {
            GapState open = new GapState();
            open.missingFrom = current.lastEmitted + 1;
            open.openedAt = now(context);
            open.fromSnapshot = snapshot;
            open.counted = true;
            current.gap = open;
            count(0, 1, 0);
            schedule(open.openedAt + timeoutOf(open));
            return open;
        }

        /** An event past the buffer bound: left in the store; the first one alerts and brings the read forward. */
        void defer(EventEnvelope event) throws Exception {
            GapState open = current.gap;
            open.deferred++;
            eventsDeferredToStore.inc();
            if (open.boundReached) {
                return;
            }
            open.boundReached = true;
            long lowest = lowestBuffered();
            alert(current.lastEmitted + 1, lowest - 1, "buffer-full");
            log.warn("aggregate {}: {} events buffered behind missing events {}..{}, the bound "
                    + "(ordering.max-buffered-per-key); later events are left in the store and read when their turn "
                    + "comes", aggregateId(), open.buffered, current.lastEmitted + 1, lowest - 1);
            if (open.attempts == 0) {
                schedule(now(context) + 1);
            }
        }

        /**
         * Reads one page of the hole from the store, emits what closes it and drains the buffer behind it; then
         * continues at once, or backs off, or applies the gap policy.
         */
        void fill(Collector<EventEnvelope> out) throws Exception {
            GapState open = current.gap;
            long from = current.lastEmitted + 1;
            long holeEnd = open.buffered > 0 ? lowestBuffered() - 1 : open.highestKnown();
            long to = Math.min(holeEnd, from + settings.fillPageSize() - 1);
            if (to < from) {
                drain(out);
                afterProgress(true);
                return;
            }
            List<EventDocumentReader.Result> stored;
            gapFillReads.inc();
            long started = System.nanoTime();
            try {
                stored = filler.read(aggregateId(), from, to, settings.fillPageSize());
            } catch (Exception e) {
                gapFillFailures.inc();
                gapFillReadMillis.update((System.nanoTime() - started) / 1_000_000);
                long delay = backoff();
                log.warn("reading the missing events {}..{} of aggregate {} from the event store failed; retrying in {} "
                    + "ms", from, to, aggregateId(), delay, e);
                return;
            }
            gapFillReadMillis.update((System.nanoTime() - started) / 1_000_000);
            int filled = 0;
            long nextStored = 0;
            for (EventDocumentReader.Result result : stored) {
                long sequenceNo = positionOf(result);
                if (sequenceNo <= current.lastEmitted) {
                    continue;
                }
                if (sequenceNo > current.lastEmitted + 1) {
                    nextStored = sequenceNo; // a hole the store has too
                    break;
                }
                if (buffer.contains(sequenceNo)) {
                    buffer.remove(sequenceNo);
                    buffered(-1);
                }
                emitStored(result, out);
                current.lastEmitted = sequenceNo;
                filled++;
            }
            if (filled > 0) {
                gapFills.inc();
                eventsFilledFromStore.inc(filled);
                log.info("filled {} missing events of aggregate {} from the event store", filled, aggregateId());
                drain(out);
                afterProgress(true);
                return;
            }
            // the store has the hole too, up to the first event it has after it, or as far as it was read (never past
            // the lowest buffered event): the policy decides for those positions only
            applyPolicy(nextStored > 0 ? nextStored : to + 1, out);
        }

        private void applyPolicy(long next, Collector<EventEnvelope> out) throws Exception {
            GapState open = current.gap;
            long last = current.lastEmitted;
            switch (settings.policy()) {
                case FAIL -> throw new IllegalStateException("Aggregate '" + aggregateId() + "' is missing events "
                    + (last + 1) + ".." + (next - 1) + ": they are neither in the change stream nor in the event store "
                    + "(ordering.gap-policy FAIL)");
                case SKIP -> {
                    alert(last + 1, next - 1, "skipped");
                    gapsSkipped.inc();
                    log.error("aggregate {}: skipping missing events {}..{} (ordering.gap-policy SKIP)", aggregateId(),
                        last + 1, next - 1);
                    current.skipped = SkippedRanges.add(current.skipped, last + 1, next - 1);
                    current.lastEmitted = next - 1;
                    drain(out);
                    afterProgress(true);
                }
                case WAIT -> {
                    if (!open.alerted) {
                        alert(last + 1, next - 1, "waiting");
                        open.alerted = true;
                        log.error("aggregate {}: events {}..{} are missing from the change stream and the event store; "
                            + "waiting (ordering.gap-policy WAIT), {} events held back, {} left in the store",
                            aggregateId(), last + 1, next - 1, open.buffered, open.deferred);
                    }
                    backoff();
                }
            }
        }

        /** After a failed or fruitless read: the gap is overdue, and the next read waits twice as long as the last. */
        private long backoff() {
            GapState open = current.gap;
            if (!open.overdue) {
                open.overdue = true;
                count(0, 0, 1);
            }
            open.attempts++;
            long delay = Math.min(settings.gapTimeout().toMillis() << Math.min(open.attempts - 1, 30),
                settings.maxFillBackoff().toMillis());
            schedule(now(context) + Math.max(1, delay));
            return delay;
        }

        /**
         * After the stream advanced: close the gap if nothing is buffered or known to be in the store, else move it to
         * the new first hole, read at once if {@code readNow} (reads are making progress, or events wait in the
         * store), else after the gap timeout.
         */
        void afterProgress(boolean readNow) {
            GapState open = current.gap;
            if (open == null) {
                return;
            }
            if (open.buffered <= 0 && current.lastEmitted >= open.highestKnown()) {
                deleteTimer(open);
                count(0, -1, open.overdue ? -1 : 0);
                current.gap = null;
                return;
            }
            if (open.missingFrom != current.lastEmitted + 1) {
                open.missingFrom = current.lastEmitted + 1;
                open.openedAt = now(context);
                open.alerted = false;
                open.boundReached = false;
                open.attempts = 0;
                if (open.overdue) {
                    open.overdue = false;
                    count(0, 0, -1);
                }
                schedule(readNow || open.buffered <= 0 ? now(context) + 1 : open.openedAt + timeoutOf(open));
            }
        }

        /** Emits buffered successors of the last emitted event, in order. */
        void drain(Collector<EventEnvelope> out) throws Exception {
            GapState open = current.gap;
            if (open == null) {
                return;
            }
            long next = current.lastEmitted + 1;
            EventEnvelope buffered;
            while (open.buffered > 0 && (buffered = buffer.get(next)) != null) {
                buffer.remove(next);
                buffered(-1);
                emit(buffered, out);
                current.lastEmitted = next++;
                open.lowestBuffered = 0; // unknown until needed
            }
            if (open.buffered == 0) {
                open.lowestBuffered = 0;
                open.highestBuffered = 0;
            }
        }

        /** The lowest buffered sequenceNo, from the gap if known, else by one pass over the buffer (from the timer). */
        private long lowestBuffered() throws Exception {
            GapState open = current.gap;
            if (open.buffered <= 0) {
                return Long.MAX_VALUE;
            }
            if (open.lowestBuffered == 0) {
                long lowest = Long.MAX_VALUE;
                for (Long sequenceNo : buffer.keys()) {
                    lowest = Math.min(lowest, sequenceNo);
                }
                open.lowestBuffered = lowest;
            }
            return open.lowestBuffered;
        }

        /** Makes {@code at} the aggregate's one live timer. */
        void schedule(long at) {
            GapState open = current.gap;
            if (open.timerAt == at) {
                return;
            }
            deleteTimer(open);
            open.timerAt = at;
            context.timerService().registerProcessingTimeTimer(at);
        }

        private void deleteTimer(GapState open) {
            if (open.timerAt != 0) {
                context.timerService().deleteProcessingTimeTimer(open.timerAt);
                open.timerAt = 0;
            }
        }

        private void emitStored(EventDocumentReader.Result result, Collector<EventEnvelope> out) {
            if (result instanceof EventDocumentReader.Valid valid) {
                emit(valid.event(), out);
            } else {
                EventDocumentReader.Invalid invalid = (EventDocumentReader.Invalid) result;
                context.output(DEAD_LETTERS, DeadLetters.of("gap-fill", invalid.reason(), null, invalid.aggregateId(),
                    invalid.sequenceNo(), invalid.eventId(), 0, null, settings.maxDocumentChars()));
                // its position is passed like a placeholder's: counted as put in order
                emit(EventEnvelope.placeholder(invalid.aggregateId(), invalid.sequenceNo(), invalid.eventId(), 0, false), out);
            }
        }

        private void alert(long from, long to, String action) {
            GapState open = current.gap;
            gapAlerts.inc();
            GapAlert alert = new GapAlert();
            alert.aggregateId = aggregateId();
            alert.missingFrom = from;
            alert.missingTo = to;
            alert.bufferedEvents = open.buffered;
            alert.openSinceMillis = open.openedAt;
            alert.policy = settings.policy().name();
            alert.action = action;
            alert.detectedAtMillis = System.currentTimeMillis();
            context.output(GAP_ALERTS, alert);
        }
    }

    /** An event whose position SKIP passed: never emitted, so dead-lettered (with the whole event) and counted. */
    private void arrivedAfterSkip(EventEnvelope event, OrderingState current, Context context) {
        current.skipped = SkippedRanges.remove(current.skipped, event.sequenceNo);
        eventsArrivedAfterSkipTotal++;
        log.error("aggregate {}: event {} arrived after its position was skipped (ordering.gap-policy SKIP); "
            + "dead-lettered", event.aggregateId, event.sequenceNo);
        context.output(DEAD_LETTERS, DeadLetters.of("ordering", "event " + event.sequenceNo + " of aggregate '"
                + event.aggregateId + "' arrived after its position was skipped (ordering.gap-policy SKIP): it was "
                + "neither projected nor published", null, event.aggregateId, event.sequenceNo, event.eventId,
            event.clusterTime, EventRecordSerializer.toJson(event), settings.maxDocumentChars()));
    }

    private void emit(EventEnvelope event, Collector<EventEnvelope> out) {
        eventsOrderedTotal++;
        if (event.isPlaceholder()) {
            return;
        }
        eventsEmitted.inc();
        if (!event.snapshot && event.clusterTime != 0) {
            commitToEmitMillis.update(Math.max(0, System.currentTimeMillis() - event.commitMillis()));
        }
        out.collect(event);
    }

    private long timeoutOf(GapState open) {
        return (open.fromSnapshot ? settings.snapshotGapTimeout() : settings.gapTimeout()).toMillis();
    }

    private static long positionOf(EventDocumentReader.Result result) {
        return result instanceof EventDocumentReader.Valid valid ? valid.event().sequenceNo
            : ((EventDocumentReader.Invalid) result).sequenceNo();
    }

    /**
     * When the event was committed: the cluster time has second precision; the writer's occurredAt refines it when it
     * falls within that second.
     */
    private static long now(Context context) {
        return context.timerService().currentProcessingTime();
    }

    /** The start position in force: fixed at the job's first start, then restored. */
    StartPosition startPosition() {
        return start;
    }

    // what the gauges show, for tests

    long bufferedEvents() {
        return gauges.buffered();
    }

    long openGaps() {
        return gauges.openGaps();
    }

    long overdueGaps() {
        return gauges.overdueGaps();
    }

    long eventsOrderedTotal() {
        return eventsOrderedTotal;
    }

    long eventsArrivedAfterSkipTotal() {
        return eventsArrivedAfterSkipTotal;
    }

    // Operator state: the gauges per key group, the running totals and the start position.

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        gaugeState.update(gauges.snapshot());
        legacyGaugeState.update(List.of(0L, 0L, maxOutOfOrderDistance));
        totalsState.update(List.of(eventsOrderedTotal));
        arrivedAfterSkipState.update(List.of(eventsArrivedAfterSkipTotal));
        startState.update(start instanceof StartPosition.FirstEventAfter after ? List.of(1L, after.clusterTime())
            : List.of(0L, 0L));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        var operatorState = context.getOperatorStateStore();
        var task = getRuntimeContext().getTaskInfo();
        boolean first = task.getIndexOfThisSubtask() == 0;
        gauges = new KeyGroupGauges(task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks(),
            task.getIndexOfThisSubtask());
        gaugeState = operatorState.getUnionListState(new ListStateDescriptor<>("ordering-gauges-by-key-group", Types.LONG));
        gauges.restore(list(gaugeState));
        // the state of the first version: [buffered, openGaps, maxOutOfOrderDistance] per subtask; its gaps are counted
        // when their aggregate is next touched (GapState.counted), only the distance is still taken from it
        legacyGaugeState = operatorState.getUnionListState(new ListStateDescriptor<>("ordering-gauges", Types.LONG));
        List<Long> legacy = list(legacyGaugeState);
        for (int i = 2; first && i < legacy.size(); i += 3) {
            maxOutOfOrderDistance = Math.max(maxOutOfOrderDistance, legacy.get(i));
        }
        // union state hands every subtask every subtask's totals: subtask 0 restores the sums, the others start at 0
        totalsState = operatorState.getUnionListState(new ListStateDescriptor<>("ordering-totals", Types.LONG));
        arrivedAfterSkipState = operatorState.getUnionListState(new ListStateDescriptor<>("ordering-arrived-after-skip",
            Types.LONG));
        if (first) {
            eventsOrderedTotal = list(totalsState).stream().mapToLong(Long::longValue).sum();
            eventsArrivedAfterSkipTotal = list(arrivedAfterSkipState).stream().mapToLong(Long::longValue).sum();
        }
        startState = operatorState.getUnionListState(new ListStateDescriptor<>("ordering-start", Types.LONG));
        List<Long> restoredStart = list(startState);
        if (restoredStart.size() >= 2) {
            start = restoredStart.get(0) == 1 ? StartPosition.firstEventAfter(restoredStart.get(1)) : StartPosition.beginning();
        } else {
            // a fresh start, or a savepoint from before the start position was kept: the configured one
            start = settings.start();
        }
        if (first && context.isRestored() && !start.equals(settings.start())) {
            log.info("ordering starts aggregates without state at {}, as when the job first started (the configured {} "
                + "applies only to a start without state)", start, settings.start());
        }
    }

    private static List<Long> list(ListState<Long> state) throws Exception {
        List<Long> values = new ArrayList<>();
        state.get().forEach(values::add);
        return values;
    }
}
