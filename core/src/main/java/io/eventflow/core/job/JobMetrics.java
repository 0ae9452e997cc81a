package io.eventflow.core.job;

import java.util.List;

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
    /**
     * Malformed documents without a usable aggregateId or sequenceNo since the job first started, kept in state across
     * restarts and upgrades: they have no position in any stream, so they are never put in order, but they are in
     * the store's count.
     */
    public static final String DOCUMENTS_WITHOUT_POSITION_TOTAL = "documentsWithoutPositionTotal";

    // order-per-aggregate
    public static final String BUFFERED_EVENTS = "bufferedEvents";
    public static final String OPEN_GAPS = "openGaps";
    public static final String MAX_OUT_OF_ORDER_DISTANCE = "maxOutOfOrderDistance";
    /**
     * Stream positions passed on in order since the job first started (events, and placeholders of dead-lettered
     * events, read from the change stream or from the store), kept in state across restarts and upgrades; part of
     * {@link #ACCOUNTED_FOR}.
     */
    public static final String EVENTS_ORDERED_TOTAL = "eventsOrderedTotal";
    public static final String DUPLICATES_DROPPED = "duplicatesDropped";
    /** Open gaps not filled by their timeout: the store had nothing for them, or could not be read. */
    public static final String OVERDUE_GAPS = "overdueGaps";
    public static final String GAP_FILLS = "gapFills";
    /** Reads of the event store for missing events (each of at most ordering.gap-fill.page-size events). */
    public static final String GAP_FILL_READS = "gapFillReads";
    /** How long each read of the event store took: how long it held up the ordering subtask. */
    public static final String GAP_FILL_READ_LATENCY_MS = "gapFillReadLatencyMs";
    /** Events past ordering.max-buffered-per-key, not buffered but read from the store when their turn comes. */
    public static final String EVENTS_DEFERRED_TO_STORE = "eventsDeferredToStore";
    public static final String EVENTS_FILLED_FROM_STORE = "eventsFilledFromStore";
    public static final String GAP_FILL_FAILURES = "gapFillFailures";
    public static final String GAP_ALERTS = "gapAlerts";
    public static final String GAPS_SKIPPED = "gapsSkipped";
    /**
     * Events that arrived after ordering.gap-policy SKIP had passed their position, since the job first started, kept
     * in state: dead-lettered (stage ordering), in the store's count, never put in order.
     */
    public static final String EVENTS_ARRIVED_AFTER_SKIP_TOTAL = "eventsArrivedAfterSkipTotal";
    /**
     * 1 when the job started without state at LATEST or TIMESTAMP: each aggregate is ordered from its first new event,
     * so the events before the start are in the store's count but never the job's to order, and no lag is defined.
     */
    public static final String STARTS_AT_FIRST_NEW_EVENT = "startsAtFirstNewEvent";
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

    /**
     * The totals whose sum is the number of the store's documents the job has accounted for: put in order (events
     * and placeholders of dead-lettered events), dead-lettered without a position, or arrived after their position
     * was skipped. The store's count minus this sum is the job's lag.
     */
    public static final List<String> ACCOUNTED_FOR = List.of(EVENTS_ORDERED_TOTAL, DOCUMENTS_WITHOUT_POSITION_TOTAL,
        EVENTS_ARRIVED_AFTER_SKIP_TOTAL);

    private JobMetrics() {
    }
}
