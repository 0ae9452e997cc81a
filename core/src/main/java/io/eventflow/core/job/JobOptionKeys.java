package io.eventflow.core.job;

/**
 * Keys of the job's options that other modules pass to it (the operations commands start jobs with them, the demo
 * configures it). The options themselves, with types, defaults and descriptions, are the job's {@code JobOptions}.
 */
public final class JobOptionKeys {

    public static final String MONGODB_URI = "mongodb.uri";
    public static final String MONGODB_DATABASE = "mongodb.database";
    public static final String MONGODB_COLLECTION = "mongodb.collection";
    public static final String SOURCE_STARTUP_MODE = "source.startup.mode";
    public static final String SOURCE_UID = "source.uid";
    public static final String PROJECTIONS = "projections";
    public static final String READMODEL_DATABASE = "readmodel.database";
    public static final String READMODEL_COLLECTION_SUFFIX = "readmodel.collection-suffix";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String KAFKA_TOPIC_PREFIX = "kafka.topic-prefix";
    public static final String KAFKA_TRANSACTIONAL_ID_PREFIX = "kafka.transactional-id-prefix";
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";
    public static final String OUTPUTS = "outputs";
    public static final String JOB_NAME = "job.name";
    public static final String JOB_PARALLELISM = "job.parallelism";

    /** Values of {@link #OUTPUTS}. */
    public static final String OUTPUT_READ_MODELS = "read-models";
    public static final String OUTPUT_KAFKA = "kafka";
    /** Values of {@link #SOURCE_STARTUP_MODE}. */
    public static final String STARTUP_INITIAL = "initial";

    private JobOptionKeys() {
    }
}
