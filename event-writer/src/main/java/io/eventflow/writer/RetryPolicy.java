package io.eventflow.writer;

import java.time.Duration;
import java.util.Objects;

/**
 * How the store retries transient failures and, for {@link ExpectedVersion#any()}, lost races for the stream's head:
 * exponential backoff with full jitter, bounded both by attempts and by total time.
 *
 * @param maxAttempts    attempts in all, the first included
 * @param initialBackoff the backoff before the second attempt (before jitter)
 * @param maxBackoff     the largest backoff
 * @param maxElapsed     no new attempt starts after this much time since the first
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {

    /** 12 attempts, 5 ms doubling up to 500 ms, at most 30 s in all. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(12, Duration.ofMillis(5), Duration.ofMillis(500),
        Duration.ofSeconds(30));

    /** No retries at all. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be 1 or more, was " + maxAttempts);
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
