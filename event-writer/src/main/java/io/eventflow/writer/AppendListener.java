package io.eventflow.writer;

import java.time.Duration;

/**
 * Observes appends, for metrics and tracing. Called on the appending thread; implementations must be quick and must
 * not throw.
 */
public interface AppendListener {

    /** An append succeeded (or was found to have succeeded already). */
    default void onAppended(AppendResult result, Duration latency, int attempts) {
    }

    /** An append hit another writer's events at the positions it wanted. */
    default void onConflict(String aggregateId, ExpectedVersion expected, long actualVersion) {
    }

    /** An attempt failed transiently and will be retried after {@code backoff}. */
    default void onRetry(String aggregateId, int attempt, Throwable cause, Duration backoff) {
    }

    /** An append failed for good. */
    default void onFailed(String aggregateId, Throwable cause) {
    }

    AppendListener NONE = new AppendListener() {
    };
}
