package io.eventflow.job.projection.crossaggregate;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.FlushPolicy;
import io.eventflow.job.projection.MiniBatchOperator;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.fold.FoldSlot;
import io.eventflow.job.projection.fold.GuardedFold;
import io.eventflow.job.projection.fold.KeyedFold;
import io.eventflow.job.readmodel.ReadModelEncoder;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;

/**
 * Folds contributions into the documents of cross-aggregate projections, each document with its own keyed state.
 * Keyed by (projection, documentKey).
 *
 * <p>The same mini-batches and the same guard on user code as {@link io.eventflow.job.projection.ProjectionOperator}:
 * documents are folded in memory and flushed every {@code flushIntervalMillis} and before every checkpoint barrier,
 * when each changed state is written once and each changed document emitted once as a {@link CrossAggregateUpdate},
 * with the aggregates and sequenceNos that reached it since its previous version. The two-phase-commit sink downstream
 * writes them when the checkpoint covering them completes.
 *
 * <p>State per projection ({@code cross-aggregate-<name>}): the document's state, its event count and its latest
 * occurrence.
 */
public class CrossAggregateOperator extends MiniBatchOperator<Contribution, CrossAggregateUpdate> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("cross-aggregate-dead-letters") {
    };

    /** Name of the keyed state of a projection's documents: savepoints depend on it. */
    public static String stateName(String projection) {
        return "cross-aggregate-" + projection;
    }

    private final ProjectionRegistry registry;
    private final ProjectionFailures.Settings failureSettings;

    private transient ReadModelEncoder encoder;
    private transient Map<String, Integer> indexes;
    private transient GuardedFold[] folds;
    private transient ValueState<Tuple3<Object, Long, Long>>[] states;
    private transient Map<Tuple2<String, String>, Bundled> bundle;
    private transient GuardedFold.DocumentWriter documents;

    /**
     * A document in the bundle: its slot (its state read on the first contribution that folds), and the aggregates that
     * reached it since it was last emitted.
     */
    private static final class Bundled {
        final int index;
        final FoldSlot slot = new FoldSlot();
        final Map<String, Long> sources = new HashMap<>();
        boolean loaded;

        Bundled(int index) {
            this.index = index;
        }
    }

    public CrossAggregateOperator(ProjectionRegistry registry, ProjectionFailures.Settings failureSettings,
                                  FlushPolicy flushPolicy) {
        super(flushPolicy);
        this.registry = registry;
        this.failureSettings = failureSettings;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open() throws Exception {
        super.open();
        encoder = new ReadModelEncoder();
        bundle = new LinkedHashMap<>();
        documents = (key, fields, slot) -> encoder.encodeCrossAggregate(key, fields, slot.eventCount(), slot.updatedAt());
        MetricGroup metrics = getMetricGroup();
        Counter unknownVersions = metrics.counter(JobMetrics.UNKNOWN_SCHEMA_VERSIONS);
        List<CrossAggregateProjection<?>> projections = registry.crossAggregateProjections();
        indexes = new HashMap<>();
        folds = new GuardedFold[projections.size()];
        states = new ValueState[projections.size()];
        for (int i = 0; i < projections.size(); i++) {
            CrossAggregateProjection<?> projection = projections.get(i);
            indexes.put(projection.name(), i);
            TypeInformation slotType = new TupleTypeInfo<>(TypeInformation.of(projection.stateType()), Types.LONG,
                Types.LONG);
            states[i] = getRuntimeContext().getState(new ValueStateDescriptor<>(stateName(projection.name()), slotType));
            folds[i] = guardedFold(KeyedFold.of(projection), failureSettings, unknownVersions, DEAD_LETTERS);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processElement(StreamRecord<Contribution> record) throws Exception {
        Contribution contribution = record.getValue();
        Integer index = indexes.get(contribution.projection);
        if (index == null) {
            throw new IllegalStateException("a contribution for projection '" + contribution.projection
                + "', which this operator does not run");
        }
        Tuple2<String, String> key = (Tuple2<String, String>) getCurrentKey();
        Bundled bundled = bundle.get(key);
        if (bundled == null) {
            bundled = new Bundled(index);
            bundle.put(Tuple2.of(key.f0, key.f1), bundled);
        }
        EventEnvelope event = contribution.event;
        if (!event.isPlaceholder()) {
            if (!bundled.loaded) {
                Tuple3<Object, Long, Long> stored = states[index].value();
                if (stored != null) {
                    bundled.slot.load(stored.f0);
                    bundled.slot.baseEventCount = stored.f1;
                    bundled.slot.baseUpdatedAt = stored.f2;
                }
                bundled.loaded = true;
            }
            ProjectedEvent view = ProjectionFailures.view(event, registry.upcasters());
            folds[index].fold(bundled.slot, contribution.documentKey, event, view);
            bundled.slot.changed = true;
        }
        // applied, dead-lettered or not the projection's business (a placeholder from the router): the document has
        // processed the aggregate up to here, which is what read-your-writes waits for
        bundled.sources.merge(event.aggregateId, event.sequenceNo, Math::max);
        afterElement(event);
    }

    /** Writes every changed state once and emits every changed document once, with its newest version. */
    @Override
    protected int batchedKeys() {
        return bundle.size();
    }

    @Override
    protected void flush() throws Exception {
        if (bundle.isEmpty()) {
            return;
        }
        for (Map.Entry<Tuple2<String, String>, Bundled> entry : bundle.entrySet()) {
            Tuple2<String, String> key = entry.getKey();
            Bundled bundled = entry.getValue();
            FoldSlot slot = bundled.slot;
            setCurrentKey(key);
            CrossAggregateUpdate update = new CrossAggregateUpdate();
            update.projection = key.f0;
            update.documentKey = key.f1;
            if (bundled.loaded) {
                update.document = folds[bundled.index].document(slot, key.f1, documents);
                update.eventCount = slot.eventCount();
                Object state = slot.current();
                if (state != null) {
                    states[bundled.index].update(Tuple3.of(state, slot.eventCount(), slot.updatedAt()));
                }
            } // else positions only: the document itself did not change
            update.sourceAggregates = new String[bundled.sources.size()];
            update.sourceSequenceNos = new long[bundled.sources.size()];
            int i = 0;
            for (Map.Entry<String, Long> source : bundled.sources.entrySet()) {
                update.sourceAggregates[i] = source.getKey();
                update.sourceSequenceNos[i++] = source.getValue();
            }
            output.collect(new StreamRecord<>(update));
        }
        bundle.clear();
    }

}
