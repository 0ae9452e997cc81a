package io.eventflow.writer.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.eventflow.writer.RetryPolicy;

/** One operation's retry budget: attempts so far, time so far, and the jittered pause before the next attempt. */
final class Backoff {

    private final RetryPolicy policy;
    private final long startNanos = System.nanoTime();
    private int attempts;

    Backoff(RetryPolicy policy) {
        this.policy = policy;
    }

    /** Counts the attempt about to start. */
    int nextAttempt() {
        return ++attempts;
    }

    int attempts() {
        return attempts;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** The pause before another attempt, with full jitter, or {@code null} when the budget is spent. */
    Duration nextPause() {
        if (attempts >= policy.maxAttempts()) {
            return null;
        }
        long ceiling = policy.backoffAfter(attempts).toMillis();
        Duration pause = Duration.ofMillis(ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
        return elapsed().plus(pause).compareTo(policy.maxElapsed()) > 0 ? null : pause;
    }

    static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.eventflow.writer.EventStoreException("interrupted while waiting to retry", e);
        }
    }
}
