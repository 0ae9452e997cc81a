package io.eventflow.job.projection;

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
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.projection.fold.FoldSlot;
import io.eventflow.job.projection.fold.GuardedFold;
import io.eventflow.job.projection.fold.KeyedFold;
import io.eventflow.job.readmodel.ReadModelEncoder;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * Runs every per-aggregate projection over each aggregate's ordered events, each with its own keyed state, and emits
 * the aggregates' new read-model documents. Keyed by aggregateId.
 *
 * <ul>
 *   <li>Payloads are upcast to the current schema version when a projection reads them.</li>
 *   <li>An event type a projection does not handle is skipped and counted; if the projection already has a read
 *       model for the aggregate, its {@code lastSequenceNo} still advances. So does a dead-lettered event's, and a
 *       placeholder's (an event dead-lettered at the source).</li>
 *   <li>Whatever a projection's code throws, the event is dead-lettered for that projection and its state stays
 *       exactly as before the event ({@link GuardedFold}).</li>
 * </ul>
 *
 * <p>Mini-batches, the way Flink's SQL runtime aggregates: the aggregates events touch are held in an in-memory
 * bundle, their state read once, every event folded there. The bundle is flushed every {@code flushIntervalMillis},
 * when it holds {@code maxBundleKeys} aggregates, at the end of input, and always before a checkpoint barrier is
 * forwarded: each changed state is written once and each changed read model emitted once, with its newest version. A
 * checkpoint therefore always holds complete state, and the sink's version-guarded upserts make writing only the
 * newest version lose nothing. A flush interval of 0 flushes after every event.
 *
 * <p>State per projection ({@code projection-<name>}): one value holding the projection's state and the sequenceNo,
 * eventId and time of the last event the read model reflects.
 */
public class ProjectionOperator extends MiniBatchOperator<EventEnvelope, ReadModelUpdate> {

    private static final long serialVersionUID = 2L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("projection-dead-letters") {
    };

    /** Name of the keyed state of a projection: savepoints depend on it. */
    public static String stateName(String projection) {
        return "projection-" + projection;
    }

    private final ProjectionRegistry registry;
    private final ProjectionFailures.Settings failureSettings;

    private transient ReadModelEncoder encoder;
    private transient GuardedFold[] folds;
    private transient List<ValueState<Tuple4<Object, Long, String, Long>>> states;
    private transient Map<String, FoldSlot[]> bundle;
    private transient GuardedFold.DocumentWriter documents;

    /**
     * @param flushIntervalMillis how often changed read models are emitted; 0 emits after every event
     * @param maxBundleKeys       the most aggregates a bundle holds before it is flushed early
     */
    public ProjectionOperator(ProjectionRegistry registry, ProjectionFailures.Settings failureSettings,
                              FlushPolicy flushPolicy) {
        super(flushPolicy);
        this.registry = registry;
        this.failureSettings = failureSettings;
        // chained to the ordering operator, which already partitions by aggregateId: no serialization between them
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open() throws Exception {
        super.open();
        encoder = new ReadModelEncoder();
        bundle = new LinkedHashMap<>();
        documents = (key, fields, slot) -> encoder.encode(key, fields, slot.lastSequenceNo, slot.lastEventId,
            slot.lastOccurredAt);
        MetricGroup metrics = getMetricGroup();
        Counter unknownVersions = metrics.counter(JobMetrics.UNKNOWN_SCHEMA_VERSIONS);
        List<Projection<?>> projections = registry.projections();
        folds = new GuardedFold[projections.size()];
        states = new java.util.ArrayList<>();
        for (int i = 0; i < projections.size(); i++) {
            Projection<?> projection = projections.get(i);
            TypeInformation slotType = new TupleTypeInfo<>(TypeInformation.of(projection.stateType()), Types.LONG,
                Types.STRING, Types.LONG);
            states.add(getRuntimeContext().getState(new ValueStateDescriptor<>(stateName(projection.name()), slotType)));
            folds[i] = guardedFold(KeyedFold.of(projection), failureSettings, unknownVersions, DEAD_LETTERS);
        }
    }

    @Override
    public void processElement(StreamRecord<EventEnvelope> record) throws Exception {
        EventEnvelope event = record.getValue();
        FoldSlot[] slots = bundle.get(event.aggregateId);
        if (slots == null) {
            slots = new FoldSlot[folds.length];
            bundle.put(event.aggregateId, slots);
        }
        ProjectedEvent view = event.isPlaceholder() ? null : ProjectionFailures.view(event, registry.upcasters());
        for (int i = 0; i < folds.length; i++) {
            FoldSlot slot = slots[i];
            if (slot == null) {
                slot = load(i);
                slots[i] = slot;
            }
            if (view == null) {
                if (slot.current() != null) {
                    slot.advancePast(event);
                }
                continue;
            }
            GuardedFold.Outcome outcome = folds[i].fold(slot, event.aggregateId, event, view);
            if (outcome == GuardedFold.Outcome.APPLIED || slot.current() != null) {
                slot.advanceTo(event);
            }
        }
        afterElement(event);
    }

    private FoldSlot load(int index) throws Exception {
        FoldSlot slot = new FoldSlot();
        Tuple4<Object, Long, String, Long> stored = states.get(index).value();
        if (stored != null) {
            slot.load(stored.f0);
            slot.lastSequenceNo = stored.f1;
            slot.lastEventId = stored.f2;
            slot.lastOccurredAt = stored.f3;
        }
        return slot;
    }

    /** Writes every changed state once and emits every changed read model once, with its newest version. */
    @Override
    protected int batchedKeys() {
        return bundle.size();
    }

    @Override
    protected void flush() throws Exception {
        if (bundle.isEmpty()) {
            return;
        }
        for (Map.Entry<String, FoldSlot[]> entry : bundle.entrySet()) {
            String aggregateId = entry.getKey();
            setCurrentKey(aggregateId);
            FoldSlot[] slots = entry.getValue();
            for (int i = 0; i < slots.length; i++) {
                FoldSlot slot = slots[i];
                if (slot == null || !slot.changed) {
                    continue;
                }
                byte[] document = folds[i].document(slot, aggregateId, documents);
                Object state = slot.current();
                if (state != null) {
                    states.get(i).update(Tuple4.of(state, slot.lastSequenceNo, slot.lastEventId, slot.lastOccurredAt));
                }
                if (document != null) {
                    output.collect(new StreamRecord<>(new ReadModelUpdate(folds[i].fold().name(), aggregateId,
                        slot.lastSequenceNo, document)));
                }
            }
        }
        bundle.clear();
    }

}
