package io.eventflow.job.source;

/** Where the change-stream source starts when the job has no state to restore from. */
public enum StartupMode {
    /** Read every existing event (a snapshot, in parallel chunks), then stream: used for rebuilds. */
    INITIAL,
    /** Stream only what is written after the job starts. */
    LATEST,
    /** Stream from a point in time ({@code source.startup.timestamp}), as far back as the oplog reaches. */
    TIMESTAMP
}
