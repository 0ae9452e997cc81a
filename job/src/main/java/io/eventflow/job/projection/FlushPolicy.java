package io.eventflow.job.projection;

import java.io.Serializable;

/**
 * When a projection operator's mini-batch is written: every {@code intervalMillis} while the job keeps up with the
 * store, and every {@code catchUpIntervalMillis} while it catches up (the events it applies were committed more than
 * {@code catchUpLagMillis} ago, or come from the snapshot), so that a backlog folds more events of each aggregate into
 * one state write and one read-model upsert, as Flink SQL's mini-batch trades latency for throughput; the batch is
 * also written when it holds {@code maxBatchKeys} keys and before every checkpoint barrier.
 *
 * @param intervalMillis        0 writes after every event
 * @param catchUpIntervalMillis at least {@code intervalMillis}
 * @param catchUpLagMillis      how far behind the store the job is catching up
 * @param maxBatchKeys          keys a batch holds before it is written, whatever the interval
 */
public record FlushPolicy(long intervalMillis, long catchUpIntervalMillis, long catchUpLagMillis, int maxBatchKeys)
    implements Serializable {

    public FlushPolicy {
        if (intervalMillis < 0 || catchUpIntervalMillis < intervalMillis || catchUpLagMillis < 0 || maxBatchKeys < 1) {
            throw new IllegalArgumentException("invalid flush policy " + intervalMillis + " ms, catching up "
                + catchUpIntervalMillis + " ms when " + catchUpLagMillis + " ms behind, " + maxBatchKeys + " keys");
        }
    }

    /** A fixed interval, whether the job keeps up or catches up. */
    public static FlushPolicy every(long intervalMillis, int maxBatchKeys) {
        return new FlushPolicy(intervalMillis, intervalMillis, Long.MAX_VALUE, maxBatchKeys);
    }
}
