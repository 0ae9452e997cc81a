package io.eventflow.job.projection;

import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * The mini-batch both projection operators run in, the way Flink's SQL runtime aggregates: what events change is held
 * in memory and flushed every {@code flushIntervalMillis}, when the batch holds {@code maxBatchKeys} keys, at the end
 * of input, and always before a checkpoint barrier is forwarded, so that a checkpoint holds every folded event. A
 * flush interval of 0 flushes after every element.
 */
public abstract class MiniBatchOperator<IN, OUT> extends AbstractStreamOperator<OUT>
    implements OneInputStreamOperator<IN, OUT>, BoundedOneInput, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    private final long flushIntervalMillis;
    private final int maxBatchKeys;

    protected MiniBatchOperator(long flushIntervalMillis, int maxBatchKeys) {
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxBatchKeys = maxBatchKeys;
    }

    /** Writes the batch's states and emits its changed documents; the batch is empty afterwards. */
    protected abstract void flush() throws Exception;

    /** How many keys the batch holds now. */
    protected abstract int batchedKeys();

    @Override
    public void open() throws Exception {
        super.open();
        if (flushIntervalMillis > 0) {
            scheduleFlush();
        }
    }

    /** Call after folding an element: flushes when the interval is 0 or the batch is full. */
    protected void afterElement() throws Exception {
        if (flushIntervalMillis == 0 || batchedKeys() >= maxBatchKeys) {
            flush();
        }
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

    /** A checkpoint must hold every folded event's state, and the sinks must see the documents before its barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }
}
