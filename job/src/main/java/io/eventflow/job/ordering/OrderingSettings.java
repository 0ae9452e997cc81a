package io.eventflow.job.ordering;

import java.io.Serializable;
import java.time.Duration;


/**
 * Settings of the ordering operator.
 *
 * @param gapTimeout         how long a gap in the stream phase may stay open before the store is read
 * @param snapshotGapTimeout the same for gaps among snapshot events, which the snapshot itself normally fills
 * @param policy             what to do when the store cannot fill a gap
 * @param maxBufferedPerKey  early events buffered per aggregate before the store is read at once
 * @param maxDocumentChars   bound of raw documents in dead letters
 */
public record OrderingSettings(Duration gapTimeout, Duration snapshotGapTimeout, GapPolicy policy,
                               int maxBufferedPerKey, int maxDocumentChars) implements Serializable {
}
