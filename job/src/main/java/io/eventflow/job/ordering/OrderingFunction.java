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

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.GapAlert;
import io.eventflow.job.source.DeadLetters;
import io.eventflow.job.source.EventDocumentReader;

/**
 * Restores each aggregate's order by {@code sequenceNo}, whatever order the change stream, the snapshot's parallel
 * chunks or a replay deliver events in. Keyed by aggregateId.
 *
 * <ul>
 *   <li>{@code seq <= last}: a duplicate; dropped and counted.</li>
 *   <li>{@code seq == last + 1}: emitted, then buffered successors are drained in order.</li>
 *   <li>{@code seq > last + 1}: buffered; the gap gets a timer. A gap still open after {@code ordering.gap-timeout}
 *       is filled by reading the missing range from the event store. Among snapshot events, which arrive in any
 *       order and fill their own gaps, the store is only read after {@code ordering.snapshot-gap-timeout}.</li>
 *   <li>A gap the store cannot fill follows the {@link GapPolicy}: WAIT (alert once, count, retry every gap
 *       timeout), SKIP (alert, emit past it) or FAIL.</li>
 *   <li>More than {@code ordering.max-buffered-per-key} early events: the missing range is read from the store at
 *       once rather than buffering more.</li>
 * </ul>
 *
 * <p>State per aggregate: the last emitted sequenceNo (kept forever: dropping it would let old events through
 * again), a MapState buffer of early events and the open gap. Placeholders of dead-lettered events take their
 * position and are not emitted.
 */
public class OrderingFunction extends KeyedProcessFunction<String, EventEnvelope, EventEnvelope>
    implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(OrderingFunction.class);

    public static final OutputTag<GapAlert> GAP_ALERTS = new OutputTag<>("gap-alerts") {
    };
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("ordering-dead-letters") {
    };

    private final OrderingSettings settings;
    private final GapFiller filler;

    private transient ValueState<OrderingState> state;
    private transient MapState<Long, EventEnvelope> buffer;

    private transient ListState<Long> gaugeState;
    private transient long bufferedEvents;
    private transient long openGaps;
    private transient long maxOutOfOrderDistance;
    private transient ListState<Long> totalsState;
    private transient long eventsOrderedTotal;
    private transient Counter duplicatesDropped;
    private transient Counter gapFills;
    private transient Counter eventsFilledFromStore;
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
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("ordering", TypeInformation.of(OrderingState.class)));
        buffer = getRuntimeContext().getMapState(new MapStateDescriptor<>("early-events", Types.LONG,
            TypeInformation.of(EventEnvelope.class)));

        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        metrics.gauge("bufferedEvents", () -> bufferedEvents);
        metrics.gauge("openGaps", () -> openGaps);
        metrics.gauge("maxOutOfOrderDistance", () -> maxOutOfOrderDistance);
        metrics.gauge("eventsOrderedTotal", () -> eventsOrderedTotal);
        duplicatesDropped = metrics.counter("duplicatesDropped");
        gapFills = metrics.counter("gapFills");
        eventsFilledFromStore = metrics.counter("eventsFilledFromStore");
        gapFillFailures = metrics.counter("gapFillFailures");
        gapAlerts = metrics.counter("gapAlerts");
        gapsSkipped = metrics.counter("gapsSkipped");
        eventsEmitted = metrics.counter("eventsEmitted");
        commitToEmitMillis = metrics.histogram("commitToEmitLatencyMs", new DescriptiveStatisticsHistogram(10_000));
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
        }
        long sequenceNo = event.sequenceNo;
        if (sequenceNo <= current.lastEmitted) {
            duplicatesDropped.inc();
            return;
        }
        if (sequenceNo == current.lastEmitted + 1) {
            emit(event, out);
            current.lastEmitted = sequenceNo;
            if (current.gap != null) {
                drain(current, out);
                afterProgress(current, context);
            }
            state.update(current);
            return;
        }
        if (buffer.contains(sequenceNo)) {
            duplicatesDropped.inc();
            return;
        }
        // with object reuse the caller may recycle the instance: keep a copy
        buffer.put(sequenceNo, event.copy());
        bufferedEvents++;
        maxOutOfOrderDistance = Math.max(maxOutOfOrderDistance, sequenceNo - (current.lastEmitted + 1));
        GapState open = current.gap;
        if (open == null) {
            open = new GapState();
            open.missingFrom = current.lastEmitted + 1;
            open.openedAt = now(context);
            open.fromSnapshot = event.snapshot;
            open.highestBuffered = sequenceNo;
            open.buffered = 1;
            current.gap = open;
            openGaps++;
            armTimer(open, context);
        } else {
            open.buffered++;
            open.highestBuffered = Math.max(open.highestBuffered, sequenceNo);
            if (open.fromSnapshot && !event.snapshot) {
                // the stream phase has reached this aggregate: its gap is now a real one
                open.fromSnapshot = false;
                armTimer(open, context);
            }
        }
        if (!event.snapshot && open.buffered > settings.maxBufferedPerKey()) {
            log.info("aggregate {} buffers {} early events, more than {}: reading the missing events now",
                context.getCurrentKey(), open.buffered, settings.maxBufferedPerKey());
            fillFromStore(current, context, out);
        }
        state.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<EventEnvelope> out) throws Exception {
        OrderingState current = state.value();
        GapState open = current == null ? null : current.gap;
        if (open == null || timestamp != open.timerAt) {
            return; // the gap this timer guarded has closed or moved
        }
        long due = open.openedAt + timeoutOf(open);
        if (timestamp < due) {
            open.timerAt = due;
            context.timerService().registerProcessingTimeTimer(due);
        } else {
            fillFromStore(current, context, out);
        }
        state.update(current);
    }

    /** Reads the whole open range from the store, emits what closes gaps, then applies the gap policy. */
    private void fillFromStore(OrderingState current, Context context, Collector<EventEnvelope> out) throws Exception {
        String aggregateId = context.getCurrentKey();
        GapState open = current.gap;
        List<EventDocumentReader.Result> stored;
        try {
            stored = filler.read(aggregateId, current.lastEmitted + 1, open.highestBuffered);
        } catch (Exception e) {
            gapFillFailures.inc();
            log.warn("reading the missing events {}..{} of aggregate {} from the event store failed; retrying in {}",
                current.lastEmitted + 1, open.highestBuffered, aggregateId, settings.gapTimeout(), e);
            rearm(open, context, settings.gapTimeout().toMillis());
            return;
        }
        int filled = 0;
        for (EventDocumentReader.Result result : stored) {
            long sequenceNo = positionOf(result);
            if (sequenceNo != current.lastEmitted + 1) {
                if (sequenceNo > current.lastEmitted + 1) {
                    break; // a hole the store has too
                }
                continue;
            }
            if (buffer.contains(sequenceNo)) {
                buffer.remove(sequenceNo);
                bufferedEvents--;
                open.buffered--;
            } else {
                filled++;
            }
            emitStored(result, out, context);
            current.lastEmitted = sequenceNo;
            drain(current, out);
        }
        if (filled > 0) {
            gapFills.inc();
            eventsFilledFromStore.inc(filled);
            log.info("filled {} missing events of aggregate {} from the event store", filled, aggregateId);
        }
        if (open.buffered > 0 && current.lastEmitted + 1 < lowestBuffered()) {
            applyPolicy(current, context, out);
        } else {
            afterProgress(current, context);
        }
    }

    private void applyPolicy(OrderingState current, Context context, Collector<EventEnvelope> out) throws Exception {
        String aggregateId = context.getCurrentKey();
        GapState open = current.gap;
        long last = current.lastEmitted;
        long lowest = lowestBuffered();
        switch (settings.policy()) {
            case FAIL -> throw new IllegalStateException("Aggregate '" + aggregateId + "' is missing events " + (last + 1)
                + ".." + (lowest - 1) + ": they are neither in the change stream nor in the event store "
                + "(ordering.gap-policy FAIL)");
            case SKIP -> {
                alert(context, open, last + 1, lowest - 1, "skipped");
                gapsSkipped.inc();
                log.error("aggregate {}: skipping missing events {}..{} (ordering.gap-policy SKIP)", aggregateId, last + 1,
                    lowest - 1);
                current.lastEmitted = lowest - 1;
                drain(current, out);
                afterProgress(current, context);
                if (current.gap != null) {
                    applyPolicy(current, context, out);
                }
            }
            case WAIT -> {
                if (!open.alerted) {
                    alert(context, open, last + 1, lowest - 1, "waiting");
                    open.alerted = true;
                    log.error("aggregate {}: events {}..{} are missing from the change stream and the event store; "
                        + "waiting (ordering.gap-policy WAIT), {} events held back", aggregateId, last + 1, lowest - 1,
                        open.buffered);
                }
                rearm(open, context, settings.gapTimeout().toMillis());
            }
        }
    }

    /** After the stream advanced: close the gap if nothing is buffered, else move it to the new first hole. */
    private void afterProgress(OrderingState current, Context context) {
        GapState open = current.gap;
        if (open == null) {
            return;
        }
        if (open.buffered <= 0) {
            context.timerService().deleteProcessingTimeTimer(open.timerAt);
            current.gap = null;
            openGaps--;
            return;
        }
        if (open.missingFrom != current.lastEmitted + 1) {
            open.missingFrom = current.lastEmitted + 1;
            open.openedAt = now(context);
            open.alerted = false;
            context.timerService().deleteProcessingTimeTimer(open.timerAt);
            armTimer(open, context);
        }
    }

    /** Emits buffered successors of the last emitted event, in order. */
    private void drain(OrderingState current, Collector<EventEnvelope> out) throws Exception {
        GapState open = current.gap;
        if (open == null) {
            return;
        }
        long next = current.lastEmitted + 1;
        EventEnvelope buffered;
        while (open.buffered > 0 && (buffered = buffer.get(next)) != null) {
            buffer.remove(next);
            bufferedEvents--;
            open.buffered--;
            emit(buffered, out);
            current.lastEmitted = next++;
        }
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

    private void emitStored(EventDocumentReader.Result result, Collector<EventEnvelope> out, Context context) {
        if (result instanceof EventDocumentReader.Valid valid) {
            emit(valid.event(), out);
        } else {
            EventDocumentReader.Invalid invalid = (EventDocumentReader.Invalid) result;
            context.output(DEAD_LETTERS, DeadLetters.of("gap-fill", invalid.reason(), null, invalid.aggregateId(),
                invalid.sequenceNo(), invalid.eventId(), 0, null, settings.maxDocumentChars()));
        }
    }

    private void alert(Context context, GapState open, long from, long to, String action) {
        gapAlerts.inc();
        GapAlert alert = new GapAlert();
        alert.aggregateId = context.getCurrentKey();
        alert.missingFrom = from;
        alert.missingTo = to;
        alert.bufferedEvents = open.buffered;
        alert.openSinceMillis = open.openedAt;
        alert.policy = settings.policy().name();
        alert.action = action;
        alert.detectedAtMillis = System.currentTimeMillis();
        context.output(GAP_ALERTS, alert);
    }

    private void armTimer(GapState open, Context context) {
        if (open.timerAt != 0) {
            context.timerService().deleteProcessingTimeTimer(open.timerAt);
        }
        open.timerAt = Math.max(open.openedAt + timeoutOf(open), now(context) + 1);
        context.timerService().registerProcessingTimeTimer(open.timerAt);
    }

    private void rearm(GapState open, Context context, long delayMillis) {
        open.timerAt = now(context) + delayMillis;
        context.timerService().registerProcessingTimeTimer(open.timerAt);
    }

    private long timeoutOf(GapState open) {
        return (open.fromSnapshot ? settings.snapshotGapTimeout() : settings.gapTimeout()).toMillis();
    }

    private long lowestBuffered() throws Exception {
        long lowest = Long.MAX_VALUE;
        for (Long sequenceNo : buffer.keys()) {
            lowest = Math.min(lowest, sequenceNo);
        }
        return lowest;
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

    // The gauges count across keys; their totals survive restarts in operator state.

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        gaugeState.update(List.of(bufferedEvents, openGaps, maxOutOfOrderDistance));
        totalsState.update(List.of(eventsOrderedTotal));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        gaugeState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("ordering-gauges", Types.LONG));
        List<Long> restored = new ArrayList<>();
        gaugeState.get().forEach(restored::add);
        // a state of its own, so that savepoints taken before it existed still restore
        totalsState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("ordering-totals", Types.LONG));
        // union state hands every subtask every subtask's totals: subtask 0 restores the sums, the others start at 0
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            for (int i = 0; i + 2 < restored.size(); i += 3) {
                bufferedEvents += restored.get(i);
                openGaps += restored.get(i + 1);
                maxOutOfOrderDistance = Math.max(maxOutOfOrderDistance, restored.get(i + 2));
            }
            for (Long total : totalsState.get()) {
                eventsOrderedTotal += total;
            }
        }
    }
}
