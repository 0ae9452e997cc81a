package io.eventflow.job.ordering;

/**
 * One aggregate's ordering state, in one keyed value so that an in-order event costs one state read and one write:
 * the last emitted sequenceNo (kept forever) and the open gap, if any. A Flink POJO.
 */
public class OrderingState {

    public long lastEmitted;
    /** Null while there is no gap. */
    public GapState gap;

    public OrderingState() {
    }
}
