package io.eventflow.job.projection.crossaggregate;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.OutputTag;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.UnknownSchemaVersionException;

/**
 * Sends each ordered event to the documents of the cross-aggregate projections it contributes to: one
 * {@link Contribution} per projection and document key, keyed next by (projection, key). Keyed by aggregateId, after
 * ordering, so an aggregate's contributions leave in sequenceNo order.
 *
 * <p>State per aggregate and projection ({@code routing-<name>}): the keys its latest contributing event went to, which
 * the projection's {@code documentKeys} receives as {@code keysOfAggregate}. Those of them an event does not reach
 * (the projection does not handle it, or it goes elsewhere) receive its position only, a placeholder that changes
 * no document but records, in the applied positions, that the document has seen the aggregate up to it. What {@code handles} or
 * {@code documentKeys} throws, and keys that cannot be document ids ({@link DocumentKeys}), dead-letter
 * the event for that projection.
 */
public class ContributionRouter extends KeyedProcessFunction<String, EventEnvelope, Contribution> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("cross-aggregate-routing-dead-letters") {
    };


    /** Name of the keyed state of a projection's routing memory: savepoints depend on it. */
    public static String stateName(String projection) {
        return "routing-" + projection;
    }

    private final ProjectionRegistry registry;
    private final ProjectionFailures.Settings failureSettings;

    private transient List<CrossAggregateProjection<?>> projections;
    private transient ValueState<String[]>[] memories;
    private transient ProjectionFailures[] failures;
    private transient Counter[] failed;
    private transient Counter[] routed;
    private transient Counter unknownVersions;
    private transient Collector<DeadLetter> deadLetters;
    private transient Context current;

    public ContributionRouter(ProjectionRegistry registry, ProjectionFailures.Settings failureSettings) {
        this.registry = registry;
        this.failureSettings = failureSettings;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        projections = registry.crossAggregateProjections();
        int count = projections.size();
        memories = new ValueState[count];
        failures = new ProjectionFailures[count];
        failed = new Counter[count];
        routed = new Counter[count];
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        unknownVersions = metrics.counter(JobMetrics.UNKNOWN_SCHEMA_VERSIONS);
        for (int i = 0; i < count; i++) {
            String name = projections.get(i).name();
            memories[i] = getRuntimeContext().getState(new ValueStateDescriptor<>(stateName(name),
                BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
            failures[i] = new ProjectionFailures(name, failureSettings, letter -> current.output(DEAD_LETTERS, letter));
            MetricGroup group = metrics.addGroup(JobMetrics.PROJECTION_GROUP, name);
            failed[i] = group.counter(JobMetrics.EVENTS_FAILED);
            routed[i] = group.counter(JobMetrics.CONTRIBUTIONS_ROUTED);
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void processElement(EventEnvelope event, Context context, Collector<Contribution> out) throws Exception {
        if (event.isPlaceholder()) {
            // dead-lettered at the source: no projection sees it, but the documents this aggregate reached have
            // processed it as far as read-your-writes is concerned
            EventEnvelope position = null;
            for (int i = 0; i < projections.size(); i++) {
                String[] remembered = memories[i].value();
                for (String key : remembered == null ? new String[0] : remembered) {
                    position = position == null ? event.copy() : position;
                    out.collect(new Contribution(projections.get(i).name(), key, position));
                }
            }
            return;
        }
        current = context;
        ProjectedEvent view = ProjectionFailures.view(event, registry.upcasters());
        EventEnvelope shared = null;
        EventEnvelope positionOnly = null;
        for (int i = 0; i < projections.size(); i++) {
            CrossAggregateProjection projection = projections.get(i);
            String[] remembered = memories[i].value();
            String step = "handles";
            Set<String> keys;
            try {
                if (!projection.handles(event.eventType)) {
                    keys = Set.of();
                } else {
                    step = "documentKeys";
                    Set<String> previous = remembered == null ? Set.of()
                        : Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(remembered)));
                    keys = DocumentKeys.checked((Collection<String>) projection.documentKeys(view, previous));
                }
            } catch (Throwable t) {
                ExceptionUtils.rethrowIfFatalErrorOrOOM(t);
                failed[i].inc();
                if (t instanceof UnknownSchemaVersionException) {
                    unknownVersions.inc();
                }
                failures[i].failed(event, step, t);
                keys = Set.of();
            }
            // the documents this aggregate reached before and does not reach now still reflect it up to this event:
            // they get its position only, so that read-your-writes on them completes for any event of the aggregate
            if (remembered != null) {
                for (String key : remembered) {
                    if (!keys.contains(key)) {
                        if (positionOnly == null) {
                            positionOnly = EventEnvelope.placeholder(event.aggregateId, event.sequenceNo, event.eventId,
                                event.clusterTime, event.snapshot);
                        }
                        out.collect(new Contribution(projection.name(), key, positionOnly));
                    }
                }
            }
            if (keys.isEmpty()) {
                continue;
            }
            String[] asArray = keys.toArray(String[]::new);
            if (remembered == null || !Arrays.equals(remembered, asArray)) {
                memories[i].update(asArray);
            }
            if (shared == null) {
                shared = event.copy(); // one copy shared by this event's contributions; nobody changes it
            }
            for (String key : asArray) {
                out.collect(new Contribution(projection.name(), key, shared));
            }
            routed[i].inc(asArray.length);
        }
    }
}
