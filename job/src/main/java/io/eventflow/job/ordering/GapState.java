package io.eventflow.job.ordering;

/**
 * The open gap of one aggregate (at most one: it starts right after the last emitted event and ends before the
 * lowest buffered one). A Flink POJO kept in keyed state.
 */
public class GapState {

    /** The first missing sequenceNo when the gap opened (or last moved). */
    public long missingFrom;
    /** Processing time the gap opened (or last moved); a gap is only filled once it is old enough. */
    public long openedAt;
    /** The processing-time timer guarding this gap; other timers of the key are stale. */
    public long timerAt;
    /** Buffered early events, and the highest of them. */
    public int buffered;
    public long highestBuffered;
    /** True while only snapshot events caused the gap: then it waits for the snapshot gap timeout. */
    public boolean fromSnapshot;
    /** Whether the alert for this gap was already sent. */
    public boolean alerted;

    public GapState() {
    }
}
