package io.eventflow.job.projection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.source.DeadLetters;

/**
 * Runs every projection of the registry over each aggregate's ordered events, each projection with its own keyed
 * state, and emits the aggregates' new read-model documents. Keyed by aggregateId.
 *
 * <ul>
 *   <li>Payloads are upcast to the current schema version when a projection reads them. A version newer than this
 *       job knows dead-letters the event for each projection that reads its payload.</li>
 *   <li>An event type a projection does not handle is skipped and counted; if the projection already has a read
 *       model for the aggregate, its {@code lastSequenceNo} still advances.</li>
 *   <li>A projection that fails on an event dead-letters it for that projection; its state stays as it was.</li>
 * </ul>
 *
 * <p>Mini-batches, the way Flink's SQL runtime aggregates: the aggregates an event touches are kept in an in-memory
 * bundle, their state read once, every event folded there. The bundle is flushed every
 * {@code flushIntervalMillis}, when it holds {@code maxBundleKeys} aggregates, at the end of input, and always
 * before a checkpoint barrier is forwarded: then each changed state is written once and each changed read model
 * emitted once, with its newest version. A checkpoint therefore always holds complete state, and the sink's
 * version-guarded upserts make writing only the newest version lose nothing. A flush interval of 0 flushes after
 * every event.
 *
 * <p>State per projection: one value holding the projection's state and the sequenceNo, eventId and time of the
 * last event it saw.
 */
public class ProjectionOperator extends AbstractStreamOperator<ReadModelUpdate>
    implements OneInputStreamOperator<EventEnvelope, ReadModelUpdate>, BoundedOneInput, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ProjectionOperator.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("projection-dead-letters") {
    };

    private final ProjectionRegistry registry;
    private final int maxDocumentChars;
    private final long flushIntervalMillis;
    private final int maxBundleKeys;

    private transient ObjectMapper mapper;
    private transient ReadModelEncoder encoder;
    private transient List<ValueState<Tuple4<Object, Long, String, Long>>> slots;
    private transient Map<String, Bundled> bundle;
    private transient List<Counter> applied;
    private transient List<Counter> skipped;
    private transient List<Counter> failed;
    private transient Counter unknownVersions;

    /**
     * @param flushIntervalMillis how often changed read models are emitted; 0 emits after every event
     * @param maxBundleKeys       the most aggregates a bundle holds before it is flushed early
     */
    public ProjectionOperator(ProjectionRegistry registry, int maxDocumentChars, long flushIntervalMillis, int maxBundleKeys) {
        this.registry = registry;
        this.maxDocumentChars = maxDocumentChars;
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxBundleKeys = maxBundleKeys;
        // chained to the ordering operator, which already partitions by aggregateId: no serialization between them
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    /**
     * One aggregate in the bundle: per projection, its state as read (or created) and the position of the last event
     * it saw, unboxed, so that folding an event allocates nothing; and which of them changed.
     */
    private static final class Bundled {
        final Object[] states;
        final long[] sequenceNos;
        final String[] eventIds;
        final long[] occurredAt;
        final boolean[] loaded;
        final boolean[] changed;

        Bundled(int projections) {
            states = new Object[projections];
            sequenceNos = new long[projections];
            eventIds = new String[projections];
            occurredAt = new long[projections];
            loaded = new boolean[projections];
            changed = new boolean[projections];
        }

        /** Takes a projection's stored slot (null: the aggregate has no read model yet). */
        void load(int index, Tuple4<Object, Long, String, Long> slot) {
            if (slot != null) {
                states[index] = slot.f0;
                sequenceNos[index] = slot.f1;
                eventIds[index] = slot.f2;
                occurredAt[index] = slot.f3;
            }
            loaded[index] = true;
        }

        void advance(int index, EventEnvelope event) {
            sequenceNos[index] = event.sequenceNo;
            eventIds[index] = event.eventId;
            occurredAt[index] = event.occurredAtMillis;
            changed[index] = true;
        }

        Tuple4<Object, Long, String, Long> slot(int index) {
            return Tuple4.of(states[index], sequenceNos[index], eventIds[index], occurredAt[index]);
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open() throws Exception {
        super.open();
        mapper = ProjectedEvent.payloadMapper();
        encoder = new ReadModelEncoder();
        bundle = new LinkedHashMap<>();
        slots = new ArrayList<>();
        applied = new ArrayList<>();
        skipped = new ArrayList<>();
        failed = new ArrayList<>();
        MetricGroup metrics = getMetricGroup();
        unknownVersions = metrics.counter("unknownSchemaVersions");
        metrics.gauge("bundledAggregates", () -> bundle.size());
        for (Projection<?> projection : registry.projections()) {
            TypeInformation slotType = new TupleTypeInfo<>(TypeInformation.of(projection.stateType()), Types.LONG,
                Types.STRING, Types.LONG);
            slots.add(getRuntimeContext().getState(new ValueStateDescriptor<>("projection-" + projection.name(), slotType)));
            MetricGroup group = metrics.addGroup("projection", projection.name());
            applied.add(group.counter("eventsApplied"));
            skipped.add(group.counter("eventsSkipped"));
            failed.add(group.counter("eventsFailed"));
        }
        if (flushIntervalMillis > 0) {
            scheduleFlush();
        }
    }

    @Override
    public void processElement(StreamRecord<EventEnvelope> record) throws Exception {
        EventEnvelope event = record.getValue();
        if (event.isPlaceholder()) {
            return;
        }
        Bundled bundled = bundle.get(event.aggregateId);
        if (bundled == null) {
            bundled = new Bundled(slots.size());
            bundle.put(event.aggregateId, bundled);
        }
        ProjectedEvent projected = new ProjectedEvent(event, registry.upcasters(), mapper);
        List<Projection<?>> projections = registry.projections();
        for (int i = 0; i < projections.size(); i++) {
            if (!bundled.loaded[i]) {
                bundled.load(i, slots.get(i).value());
            }
            apply(i, projections.get(i), projected, event, bundled);
        }
        if (flushIntervalMillis == 0 || bundle.size() >= maxBundleKeys) {
            flush();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void apply(int index, Projection projection, ProjectedEvent projected, EventEnvelope event, Bundled bundled) {
        Object state = bundled.states[index];
        if (!projection.handles(event.eventType)) {
            skipped.get(index).inc();
            if (state != null) {
                bundled.advance(index, event);
            }
            return;
        }
        Object next;
        try {
            next = projection.apply(state != null ? state : projection.initialState(event.aggregateId), projected);
            if (next == null) {
                throw new IllegalStateException("projection " + projection.name() + " returned a null state");
            }
        } catch (RuntimeException e) {
            failed.get(index).inc();
            if (e instanceof ProjectedEvent.UnknownSchemaVersionException) {
                unknownVersions.inc();
            }
            log.warn("projection {} failed on {}#{} ({}): {}", projection.name(), event.aggregateId, event.sequenceNo,
                event.eventType, e.getMessage());
            deadLetter(event, "projection:" + projection.name(), e.getMessage());
            return;
        }
        bundled.states[index] = next;
        bundled.advance(index, event);
        applied.get(index).inc();
    }

    /** Writes every changed state once and emits every changed read model once, with its newest version. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void flush() throws Exception {
        if (bundle.isEmpty()) {
            return;
        }
        List<Projection<?>> projections = registry.projections();
        for (Map.Entry<String, Bundled> entry : bundle.entrySet()) {
            String aggregateId = entry.getKey();
            Bundled bundled = entry.getValue();
            setCurrentKey(aggregateId);
            for (int i = 0; i < projections.size(); i++) {
                if (!bundled.changed[i]) {
                    continue;
                }
                slots.get(i).update(bundled.slot(i));
                Projection projection = projections.get(i);
                byte[] document = encoder.encode(aggregateId, projection.toDocument(bundled.states[i]),
                    bundled.sequenceNos[i], bundled.eventIds[i], bundled.occurredAt[i]);
                output.collect(new StreamRecord<>(new ReadModelUpdate(projection.name(), aggregateId,
                    bundled.sequenceNos[i], document)));
            }
        }
        bundle.clear();
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        flush();
        scheduleFlush();
    }

    private void scheduleFlush() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer((now / flushIntervalMillis + 1) * flushIntervalMillis, this);
    }

    /** A checkpoint must hold every folded event's state, and the sinks must see the updates before its barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    private void deadLetter(EventEnvelope event, String stage, String reason) {
        String raw = "{\"eventType\": \"" + event.eventType + "\", \"schemaVersion\": " + event.schemaVersion
            + ", \"payload\": " + event.payloadJson + "}";
        output.collect(DEAD_LETTERS, new StreamRecord<>(DeadLetters.of(stage, reason, null, event.aggregateId,
            event.sequenceNo, event.eventId, event.clusterTime, raw, maxDocumentChars)));
    }
}
