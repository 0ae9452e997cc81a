package io.eventflow.core.job;

/**
 * The job's operators: their uids, which savepoints map state by and which must therefore never change, and the
 * names the dashboard and the REST API show. {@code JobOperatorsTest} in the job module spells the uids out.
 */
public final class JobOperators {

    public static final String SOURCE_UID = "mongodb-cdc-source";
    public static final String ROUTER_UID = "validate-change-records";
    public static final String ORDERING_UID = "order-per-aggregate";
    public static final String PROJECTIONS_UID = "apply-projections";
    public static final String CROSS_AGGREGATE_ROUTER_UID = "route-cross-aggregate-events";
    public static final String CROSS_AGGREGATE_PROJECTIONS_UID = "fold-cross-aggregate-projections";
    public static final String KAFKA_EVENTS_UID = "kafka-events-sink";
    public static final String KAFKA_DEAD_LETTERS_UID = "kafka-dead-letter-sink";
    public static final String KAFKA_INTEGRITY_UID = "kafka-integrity-sink";
    public static final String KAFKA_ALERTS_UID = "kafka-gap-alert-sink";
    /** Prefix of the per-projection read-model sinks' uids: {@code read-model-sink-<projection>}. */
    public static final String READ_MODEL_SINK_UID_PREFIX = "read-model-sink-";
    /** Prefix of the filters in front of the per-projection read-model sinks: {@code select-<projection>}. */
    public static final String SELECT_UID_PREFIX = "select-";
    /** The two-phase-commit sink of every cross-aggregate projection's documents. */
    public static final String CROSS_AGGREGATE_SINK_UID = "cross-aggregate-read-model-sink";

    public static final String ROUTER_NAME = "Validate events, divert bad input";
    public static final String ORDERING_NAME = "Restore per-aggregate order";
    public static final String PROJECTIONS_NAME = "Apply projections";
    public static final String CROSS_AGGREGATE_ROUTER_NAME = "Route events to cross-aggregate documents";
    public static final String CROSS_AGGREGATE_PROJECTIONS_NAME = "Fold cross-aggregate projections";

    private JobOperators() {
    }
}
