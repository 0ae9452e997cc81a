package io.eventflow.job.source;

import java.util.List;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.IntegrityViolation;

/**
 * First step after the source: inserts that follow the event contract become {@link EventEnvelope}s; anything else
 * is routed aside, logged and counted, and the job goes on.
 * <ul>
 *   <li>An update, replace or delete on the event collection breaks immutability: it goes to the integrity output,
 *       never into projections.</li>
 *   <li>A malformed event document goes to the dead-letter output with the reason and the raw document. If it had a
 *       usable aggregateId and sequenceNo, a placeholder keeps its place in the stream, so ordering does not wait
 *       for it or read it again from the store.</li>
 * </ul>
 */
public class ChangeRecordRouter extends ProcessFunction<ChangeRecord, EventEnvelope> implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(ChangeRecordRouter.class);

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
    };
    public static final OutputTag<IntegrityViolation> INTEGRITY_VIOLATIONS = new OutputTag<>("integrity-violations") {
    };

    private final EventDocumentReader reader;
    private final int maxDocumentChars;
    private transient Counter events;
    private transient Counter snapshotEvents;
    private transient Counter deadLetters;
    private transient Counter integrityViolations;
    private transient ListState<Long> withoutPositionState;
    private transient long documentsWithoutPositionTotal;

    public ChangeRecordRouter(EventDocumentReader reader, int maxDocumentChars) {
        this.reader = reader;
        this.maxDocumentChars = maxDocumentChars;
    }

    @Override
    public void open(OpenContext openContext) {
        // every slot that runs a source reader runs a subtask of this operator too
        getRuntimeContext().registerUserCodeClassLoaderReleaseHookIfAbsent(CdcClientPool.RELEASE_HOOK,
            CdcClientPool::closeAll);
        var metrics = getRuntimeContext().getMetricGroup();
        events = metrics.counter(JobMetrics.EVENTS_RECEIVED);
        snapshotEvents = metrics.counter(JobMetrics.SNAPSHOT_EVENTS_RECEIVED);
        deadLetters = metrics.counter(JobMetrics.DEAD_LETTERS);
        integrityViolations = metrics.counter(JobMetrics.INTEGRITY_VIOLATIONS);
        metrics.gauge(JobMetrics.DOCUMENTS_WITHOUT_POSITION_TOTAL, () -> documentsWithoutPositionTotal);
    }

    @Override
    public void processElement(ChangeRecord change, Context context, Collector<EventEnvelope> out) {
        if (!"insert".equals(change.operationType)) {
            integrityViolations.inc();
            log.warn("integrity violation: {} on the event collection {}, document {}; events are immutable, it is not "
                + "projected", change.operationType, change.namespace(), change.documentKeyJson);
            context.output(INTEGRITY_VIOLATIONS, violation(change));
            return;
        }
        BsonDocument document;
        try {
            document = BsonDocument.parse(change.fullDocumentJson);
        } catch (RuntimeException e) {
            deadLetter(context, change, "the document cannot be parsed: " + DeadLetters.truncate(e.getMessage(), 500),
                null, 0, null);
            documentsWithoutPositionTotal++;
            return;
        }
        EventDocumentReader.Result result = reader.read(document, change.clusterTime, change.snapshot);
        if (result instanceof EventDocumentReader.Valid valid) {
            events.inc();
            if (change.snapshot) {
                snapshotEvents.inc();
            }
            out.collect(valid.event());
        } else {
            EventDocumentReader.Invalid invalid = (EventDocumentReader.Invalid) result;
            deadLetter(context, change, invalid.reason(), invalid.aggregateId(), invalid.sequenceNo(), invalid.eventId());
            if (invalid.hasPosition()) {
                out.collect(EventEnvelope.placeholder(invalid.aggregateId(), invalid.sequenceNo(), invalid.eventId(),
                    change.clusterTime, change.snapshot));
            } else {
                // no position in any stream: never put in order, but in the store's count
                documentsWithoutPositionTotal++;
            }
        }
    }

    private void deadLetter(Context context, ChangeRecord change, String reason, String aggregateId, long sequenceNo,
                            String eventId) {
        deadLetters.inc();
        log.warn("dead letter from {}: {} (aggregate {}, sequenceNo {}, eventId {})", change.namespace(), reason,
            aggregateId, sequenceNo, eventId);
        DeadLetter letter = DeadLetters.of("source", reason, change.namespace(), aggregateId, sequenceNo, eventId,
            change.clusterTime, change.fullDocumentJson, maxDocumentChars);
        context.output(DEAD_LETTERS, letter);
    }

    long documentsWithoutPositionTotal() {
        return documentsWithoutPositionTotal;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        withoutPositionState.update(List.of(documentsWithoutPositionTotal));
    }

    /** The running total survives restarts: union state hands every subtask every total, subtask 0 restores the sum. */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        withoutPositionState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
            "documents-without-position", Types.LONG));
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            for (Long total : withoutPositionState.get()) {
                documentsWithoutPositionTotal += total;
            }
        }
    }

    private IntegrityViolation violation(ChangeRecord change) {
        IntegrityViolation violation = new IntegrityViolation();
        violation.operationType = change.operationType;
        violation.namespace = change.namespace();
        violation.documentKeyJson = change.documentKeyJson;
        // cut here already, so that a large update does not travel through the job whole; the sink bounds it in bytes
        violation.documentJson = DeadLetters.truncate(change.fullDocumentJson, maxDocumentChars);
        violation.documentTruncated = !Objects.equals(violation.documentJson, change.fullDocumentJson);
        violation.updateDescriptionJson = DeadLetters.truncate(change.updateDescriptionJson, maxDocumentChars);
        violation.updateDescriptionTruncated = !Objects.equals(violation.updateDescriptionJson,
            change.updateDescriptionJson);
        violation.clusterTime = change.clusterTime;
        violation.detectedAtMillis = System.currentTimeMillis();
        return violation;
    }
}
