package io.eventflow.job.ordering;

/**
 * One aggregate's ordering state, in one keyed value so that an in-order event costs one state read and one write:
 * the last emitted sequenceNo (kept forever), the open gap, if any, and the ranges skipped under SKIP. A Flink POJO.
 */
public class OrderingState {

    public long lastEmitted;
    /** Null while there is no gap. */
    public GapState gap;
    /** Ranges skipped under SKIP, as {@code [from, to]} pairs (see {@link SkippedRanges}); null if none. */
    public long[] skipped;

    public OrderingState() {
    }
}
