package io.eventflow.job.ordering;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the ordering operator.
 *
 * @param gapTimeout         how long a gap in the stream phase may stay open before the store is read
 * @param snapshotGapTimeout the same for gaps among snapshot events, which the snapshot itself normally fills
 * @param policy             what to do when the store cannot fill a gap
 * @param maxBufferedPerKey  early events buffered per aggregate, in both phases; later ones are read from the store
 * @param maxDocumentChars   bound of raw documents in dead letters
 * @param fillPageSize       most events one read of the store returns
 * @param maxFillBackoff     longest wait between two reads for a gap the store could not fill or could not be read
 * @param start              where an aggregate without state starts, when the job first started without state
 */
public record OrderingSettings(Duration gapTimeout, Duration snapshotGapTimeout, GapPolicy policy,
                               int maxBufferedPerKey, int maxDocumentChars, int fillPageSize, Duration maxFillBackoff,
                               StartPosition start) implements Serializable {

    public static final int DEFAULT_FILL_PAGE_SIZE = 500;
    public static final Duration DEFAULT_MAX_FILL_BACKOFF = Duration.ofMinutes(5);

    public OrderingSettings {
        Objects.requireNonNull(gapTimeout, "gapTimeout");
        Objects.requireNonNull(snapshotGapTimeout, "snapshotGapTimeout");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(maxFillBackoff, "maxFillBackoff");
        Objects.requireNonNull(start, "start");
        if (maxBufferedPerKey < 1 || fillPageSize < 1) {
            throw new IllegalArgumentException("maxBufferedPerKey (" + maxBufferedPerKey + ") and fillPageSize ("
                + fillPageSize + ") must be 1 or more");
        }
    }

    /** With the default page size and backoff, starting every aggregate from sequenceNo 1. */
    public OrderingSettings(Duration gapTimeout, Duration snapshotGapTimeout, GapPolicy policy, int maxBufferedPerKey,
                            int maxDocumentChars) {
        this(gapTimeout, snapshotGapTimeout, policy, maxBufferedPerKey, maxDocumentChars, DEFAULT_FILL_PAGE_SIZE,
            DEFAULT_MAX_FILL_BACKOFF, StartPosition.beginning());
    }

    public OrderingSettings withFillPageSize(int pageSize) {
        return new OrderingSettings(gapTimeout, snapshotGapTimeout, policy, maxBufferedPerKey, maxDocumentChars, pageSize,
            maxFillBackoff, start);
    }

    public OrderingSettings withMaxFillBackoff(Duration backoff) {
        return new OrderingSettings(gapTimeout, snapshotGapTimeout, policy, maxBufferedPerKey, maxDocumentChars,
            fillPageSize, backoff, start);
    }

    public OrderingSettings withStart(StartPosition position) {
        return new OrderingSettings(gapTimeout, snapshotGapTimeout, policy, maxBufferedPerKey, maxDocumentChars,
            fillPageSize, maxFillBackoff, position);
    }
}
