package io.eventflow.job.projection;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.source.DeadLetters;
import io.eventflow.writer.EventStore;

/**
 * Runs every projection of the registry over each aggregate's ordered events, each with its own keyed state, and
 * emits the new read-model document after every event that changes it.
 *
 * <ul>
 *   <li>Payloads are upcast to the current schema version when a projection reads them. A version newer than this
 *       job knows dead-letters the event for each projection that reads its payload.</li>
 *   <li>An event type a projection does not handle is skipped and counted; if the projection already has a read
 *       model for the aggregate, its {@code lastSequenceNo} still advances.</li>
 *   <li>A projection that fails on an event dead-letters it for that projection; its state stays as it was.</li>
 * </ul>
 */
public class ProjectionFunction extends KeyedProcessFunction<String, EventEnvelope, ReadModelUpdate> {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ProjectionFunction.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("projection-dead-letters") {
    };

    private final ProjectionRegistry registry;
    private final int maxDocumentChars;

    private transient ObjectMapper mapper;
    private transient List<ValueState<Object>> states;
    private transient List<ValueState<Long>> versions;
    private transient List<Counter> applied;
    private transient List<Counter> skipped;
    private transient List<Counter> failed;
    private transient Counter unknownVersions;

    public ProjectionFunction(ProjectionRegistry registry, int maxDocumentChars) {
        this.registry = registry;
        this.maxDocumentChars = maxDocumentChars;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open(OpenContext openContext) {
        mapper = EventStore.defaultObjectMapper();
        states = new ArrayList<>();
        versions = new ArrayList<>();
        applied = new ArrayList<>();
        skipped = new ArrayList<>();
        failed = new ArrayList<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        unknownVersions = metrics.counter("unknownSchemaVersions");
        for (Projection<?> projection : registry.projections()) {
            TypeInformation stateType = TypeInformation.of(projection.stateType());
            states.add(getRuntimeContext().getState(new ValueStateDescriptor<>("projection-" + projection.name(), stateType)));
            versions.add(getRuntimeContext().getState(new ValueStateDescriptor<>(
                "projection-" + projection.name() + "-version", Types.LONG)));
            MetricGroup group = metrics.addGroup("projection", projection.name());
            applied.add(group.counter("eventsApplied"));
            skipped.add(group.counter("eventsSkipped"));
            failed.add(group.counter("eventsFailed"));
        }
    }

    @Override
    public void processElement(EventEnvelope event, Context context, Collector<ReadModelUpdate> out) throws Exception {
        if (event.isPlaceholder()) {
            return;
        }
        ProjectedEvent projected = new ProjectedEvent(event, registry.upcasters(), mapper);
        List<Projection<?>> projections = registry.projections();
        for (int i = 0; i < projections.size(); i++) {
            apply(i, projections.get(i), projected, event, out, context);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void apply(int index, Projection projection, ProjectedEvent projected, EventEnvelope event,
                       Collector<ReadModelUpdate> out, Context context) throws Exception {
        ValueState<Object> state = states.get(index);
        Object current = state.value();
        if (!projection.handles(event.eventType)) {
            skipped.get(index).inc();
            if (current != null) {
                versions.get(index).update(event.sequenceNo);
                out.collect(update(projection, current, event));
            }
            return;
        }
        Object next;
        try {
            next = projection.apply(current != null ? current : projection.initialState(event.aggregateId), projected);
        } catch (RuntimeException e) {
            failed.get(index).inc();
            if (e instanceof ProjectedEvent.UnknownSchemaVersionException) {
                unknownVersions.inc();
            }
            log.warn("projection {} failed on {}#{} ({}): {}", projection.name(), event.aggregateId, event.sequenceNo,
                event.eventType, e.getMessage());
            deadLetter(context, event, "projection:" + projection.name(), e.getMessage());
            return;
        }
        state.update(next);
        versions.get(index).update(event.sequenceNo);
        applied.get(index).inc();
        out.collect(update(projection, next, event));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ReadModelUpdate update(Projection projection, Object state, EventEnvelope event) {
        Document document = ReadModelDocuments.compose(event.aggregateId, projection.toDocument(state),
            event.sequenceNo, event.eventId, event.occurredAtMillis);
        return new ReadModelUpdate(projection.name(), event.aggregateId, event.sequenceNo,
            ReadModelDocuments.encode(document));
    }

    private void deadLetter(Context context, EventEnvelope event, String stage, String reason) {
        String raw = "{\"eventType\": \"" + event.eventType + "\", \"schemaVersion\": " + event.schemaVersion
            + ", \"payload\": " + event.payloadJson + "}";
        context.output(DEAD_LETTERS, DeadLetters.of(stage, reason, null, event.aggregateId, event.sequenceNo,
            event.eventId, event.clusterTime, raw, maxDocumentChars));
    }
}
