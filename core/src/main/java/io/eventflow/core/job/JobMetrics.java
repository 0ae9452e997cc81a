package io.eventflow.core.job;

/**
 * Names of the job's metrics, as the operators register them and as the operations commands, the demo and the tests
 * read them from Flink's REST API ({@code <operator>.<metric>}, summed over subtasks).
 */
public final class JobMetrics {

    // validate-change-records
    public static final String EVENTS_RECEIVED = "eventsReceived";
    public static final String SNAPSHOT_EVENTS_RECEIVED = "snapshotEventsReceived";
    public static final String DEAD_LETTERS = "deadLetters";
    public static final String INTEGRITY_VIOLATIONS = "integrityViolations";

    // order-per-aggregate
    public static final String BUFFERED_EVENTS = "bufferedEvents";
    public static final String OPEN_GAPS = "openGaps";
    public static final String MAX_OUT_OF_ORDER_DISTANCE = "maxOutOfOrderDistance";
    /**
     * Stream positions passed on in order since the job first started (events, and placeholders of dead-lettered
     * events), kept in state across restarts and upgrades: the store's event count minus its sum is the job's lag.
     */
    public static final String EVENTS_ORDERED_TOTAL = "eventsOrderedTotal";
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";
    public static final String GAP_FILLS = "gapFills";
    public static final String EVENTS_FILLED_FROM_STORE = "eventsFilledFromStore";
    public static final String GAP_FILL_FAILURES = "gapFillFailures";
    public static final String GAP_ALERTS = "gapAlerts";
    public static final String GAPS_SKIPPED = "gapsSkipped";
    public static final String EVENTS_EMITTED = "eventsEmitted";
    public static final String COMMIT_TO_EMIT_LATENCY_MS = "commitToEmitLatencyMs";

    // apply-projections and fold-cross-aggregate-projections
    /** The metric group of one projection: {@code projection.<name>.<metric>}. */
    public static final String PROJECTION_GROUP = "projection";
    public static final String EVENTS_APPLIED = "eventsApplied";
    public static final String EVENTS_SKIPPED = "eventsSkipped";
    public static final String EVENTS_FAILED = "eventsFailed";
    public static final String UNKNOWN_SCHEMA_VERSIONS = "unknownSchemaVersions";
    public static final String BUNDLED_KEYS = "bundledKeys";
    /** 1 while a projection operator applies events committed longer ago than projection.catch-up.lag, else 0. */
    public static final String CATCHING_UP = "catchingUp";

    // route-cross-aggregate-events
    public static final String CONTRIBUTIONS_ROUTED = "contributionsRouted";

    // the cross-aggregate read-model sinks
    public static final String DOCUMENTS_COMMITTED = "documentsCommitted";
    public static final String COMMIT_RETRIES = "commitRetries";

    private JobMetrics() {
    }
}
