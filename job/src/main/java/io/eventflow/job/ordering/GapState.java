package io.eventflow.job.ordering;

/**
 * The open gap of one aggregate (at most one: it starts right after the last emitted event). A Flink POJO kept in
 * keyed state; fields added later read as their defaults from older savepoints, which the operator allows for.
 */
public class GapState {

    /** The first missing sequenceNo when the gap opened (or last moved). */
    public long missingFrom;
    /** Processing time the gap opened (or last moved); a gap is only filled once it is old enough. */
    public long openedAt;
    /** The one live processing-time timer of this aggregate: when the store is read next; 0 if none. */
    public long timerAt;
    /** Buffered early events, and the highest of them. */
    public int buffered;
    public long highestBuffered;
    /** True while only snapshot events caused the gap: then it waits for the snapshot gap timeout. */
    public boolean fromSnapshot;
    /** Whether the alert for this gap was already sent. */
    public boolean alerted;

    /** The lowest buffered sequenceNo; 0 when unknown (after the buffer drained part of itself). */
    public long lowestBuffered;
    /**
     * The highest sequenceNo seen while the gap is open, buffered or not: events past the buffer bound are not
     * buffered but read from the store later, so everything up to here exists in the store.
     */
    public long highestSeen;
    /** Events past the buffer bound since the gap opened, left in the store to be read later. */
    public long deferred;
    /** Whether the buffer bound was reached since the gap last moved (the alert was sent, the read brought forward). */
    public boolean boundReached;
    /** Reads since the gap last moved that failed or found nothing to fill it: the backoff doubles with each. */
    public int attempts;
    /** Whether the gap is open past its timeout (counted in the overdueGaps gauge). */
    public boolean overdue;
    /** Whether this gap is counted in the gauges; false for gaps restored from savepoints older than the counting. */
    public boolean counted;

    public GapState() {
    }

    /** The highest position known to exist (buffered, or seen and left in the store). */
    long highestKnown() {
        return Math.max(highestSeen, highestBuffered);
    }
}
