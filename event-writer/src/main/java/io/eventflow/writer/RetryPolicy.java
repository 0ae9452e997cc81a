package io.eventflow.writer;

import java.time.Duration;
import java.util.Objects;

/**
 * How the store retries.
 *
 * <p>Transient failures (network, failover, write conflicts) are retried with exponential backoff and full jitter,
 * up to {@code maxAttempts}. Lost races for the stream's head under {@link ExpectedVersion#any()} are not failures
 * (another writer made progress), and a growing backoff would make the loser wait longer and longer while the
 * winners go on: they are retried up to {@code maxHeadRaces} times after a short pause, random between 0 and
 * {@code initialBackoff}, so the loser competes again at once. Both are bounded by {@code maxElapsed}.
 *
 * @param maxAttempts    attempts after transient failures, the first included
 * @param initialBackoff the backoff before the second attempt (before jitter), and the largest pause after a lost race
 * @param maxBackoff     the largest backoff
 * @param maxElapsed     no new attempt starts after this much time since the first
 * @param maxHeadRaces   lost races for the head an {@code any()} append may suffer before it gives up
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed,
                          int maxHeadRaces) {

    /** 12 attempts, 5 ms doubling up to 500 ms, 100 lost head races, at most 30 s in all. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(12, Duration.ofMillis(5), Duration.ofMillis(500),
        Duration.ofSeconds(30), 100);

    /** No retries at all. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);

    /** A policy with the default number of head races. */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {
        this(maxAttempts, initialBackoff, maxBackoff, maxElapsed, DEFAULT_HEAD_RACES);
    }

    private static final int DEFAULT_HEAD_RACES = 100;

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, was " + maxAttempts);
        }
        if (maxHeadRaces < 0) {
            throw new IllegalArgumentException("maxHeadRaces must be 0 or more, was " + maxHeadRaces);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxElapsed, "maxElapsed");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff, was "
                + initialBackoff + " and " + maxBackoff);
        }
        if (maxElapsed.isNegative()) {
            throw new IllegalArgumentException("maxElapsed must not be negative, was " + maxElapsed);
        }
    }

    /** The backoff before attempt {@code attempt + 1} (attempt counts from 1), before jitter. */
    public Duration backoffAfter(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
