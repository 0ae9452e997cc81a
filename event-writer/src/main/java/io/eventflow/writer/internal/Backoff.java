package io.eventflow.writer.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.eventflow.writer.RetryPolicy;

/** One operation's retry budget: attempts so far, time so far, and the jittered pause before the next attempt. */
final class Backoff {

    private final RetryPolicy policy;
    private final long startNanos = System.nanoTime();
    private int attempts;
    private int transientFailures;
    private int headRaces;

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

    /** After a transient failure: exponential backoff with full jitter, or {@code null} when the budget is spent. */
    Duration pauseAfterTransientFailure() {
        transientFailures++;
        if (transientFailures >= policy.maxAttempts()) {
            return null;
        }
        return withinElapsed(jitter(policy.backoffAfter(transientFailures).toMillis()));
    }

    /** After a lost race for the head: a short random pause, or {@code null} when the budget is spent. */
    Duration pauseAfterLostRace() {
        headRaces++;
        if (headRaces > policy.maxHeadRaces()) {
            return null;
        }
        return withinElapsed(jitter(policy.initialBackoff().toMillis()));
    }

    int headRaces() {
        return headRaces;
    }

    private Duration withinElapsed(Duration pause) {
        return elapsed().plus(pause).compareTo(policy.maxElapsed()) > 0 ? null : pause;
    }

    private static Duration jitter(long ceilingMillis) {
        return Duration.ofMillis(ceilingMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceilingMillis + 1));
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
