package io.eventflow.job.ordering;

/** What the ordering operator does with a gap that neither waiting nor reading the event store could close. */
public enum GapPolicy {
    /** Keep waiting and keep retrying the store; alert once and count the gap. Nothing is skipped. */
    WAIT,
    /** Emit past the gap, with an alert: the missing events are given up on. */
    SKIP,
    /** Fail the job. */
    FAIL
}
