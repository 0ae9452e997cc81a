package io.eventflow.job.projection;

import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.fold.GuardedFold;
import io.eventflow.job.projection.fold.KeyedFold;

/**
 * The mini-batch both projection operators run in, the way Flink's SQL runtime aggregates: what events change is held
 * in memory and flushed as the {@link FlushPolicy} says (every interval, less often while catching up, when the batch
 * is full), at the end of input, and always before a checkpoint barrier is forwarded, so that a checkpoint holds every
 * folded event. A flush interval of 0 flushes after every element.
 */
public abstract class MiniBatchOperator<IN, OUT> extends AbstractStreamOperator<OUT>
    implements OneInputStreamOperator<IN, OUT>, BoundedOneInput, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    private final FlushPolicy policy;

    /** Commit time of the latest event folded, 0 for none; snapshot events count as far behind. */
    private transient long latestCommitMillis;
    private transient boolean catchingUp;
    private transient long lastFlushMillis;

    protected MiniBatchOperator(FlushPolicy policy) {
        this.policy = policy;
    }

    /** Writes the batch's states and emits its changed documents; the batch is empty afterwards. */
    protected abstract void flush() throws Exception;

    /** How many keys the batch holds now. */
    protected abstract int batchedKeys();

    @Override
    public void open() throws Exception {
        super.open();
        getMetricGroup().gauge(JobMetrics.CATCHING_UP, () -> catchingUp ? 1 : 0);
        getMetricGroup().gauge(JobMetrics.BUNDLED_KEYS, this::batchedKeys);
        lastFlushMillis = getProcessingTimeService().getCurrentProcessingTime();
        if (policy.intervalMillis() > 0) {
            scheduleFlush();
        }
    }

    /**
     * One projection's fold, guarded: its counters ({@code eventsApplied}, {@code eventsSkipped}, {@code eventsFailed})
     * in the projection's metric group, the events it fails on dead-lettered to {@code deadLetters}.
     */
    protected GuardedFold guardedFold(KeyedFold fold, ProjectionFailures.Settings failureSettings, Counter unknownVersions,
                                      OutputTag<DeadLetter> deadLetters) {
        MetricGroup group = getMetricGroup().addGroup(JobMetrics.PROJECTION_GROUP, fold.name());
        ProjectionFailures failures = new ProjectionFailures(fold.name(), failureSettings,
            letter -> output.collect(deadLetters, new StreamRecord<>(letter)));
        return new GuardedFold(fold, getExecutionConfig(), failures, group.counter(JobMetrics.EVENTS_APPLIED),
            group.counter(JobMetrics.EVENTS_SKIPPED), group.counter(JobMetrics.EVENTS_FAILED), unknownVersions);
    }

    /** Call after folding an element: flushes when the interval is 0 or the batch is full. */
    protected void afterElement(EventEnvelope event) throws Exception {
        latestCommitMillis = event.snapshot ? 1 : event.clusterTime == 0 ? 0 : event.commitMillis();
        if (policy.intervalMillis() == 0 || batchedKeys() >= policy.maxBatchKeys()) {
            flushNow();
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        catchingUp = latestCommitMillis > 0 && time - latestCommitMillis > policy.catchUpLagMillis();
        if (!catchingUp || time - lastFlushMillis >= policy.catchUpIntervalMillis()) {
            flushNow();
        }
        scheduleFlush();
    }

    private void flushNow() throws Exception {
        flush();
        lastFlushMillis = getProcessingTimeService().getCurrentProcessingTime();
    }

    private void scheduleFlush() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long interval = policy.intervalMillis();
        getProcessingTimeService().registerTimer((now / interval + 1) * interval, this);
    }

    /** A checkpoint must hold every folded event's state, and the sinks must see the documents before its barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flushNow();
    }

    @Override
    public void endInput() throws Exception {
        flushNow();
    }
}
