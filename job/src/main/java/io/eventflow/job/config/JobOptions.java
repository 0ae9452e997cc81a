package io.eventflow.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;

import org.apache.flink.configuration.ConfigOption;

import io.eventflow.core.job.JobOperators;
import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.job.ordering.GapPolicy;
import io.eventflow.job.sink.TopicMode;
import io.eventflow.job.source.StartupMode;

/**
 * Every option of the projection job, with its default and meaning. Options come from a YAML or properties file
 * ({@code --config}), from the environment ({@code EVENTFLOW_} + the key in upper case with dots and dashes as
 * underscores, for example {@code EVENTFLOW_MONGODB_PASSWORD}) and from {@code --key value} arguments, in increasing
 * order of precedence. Secrets (passwords, SASL settings) should come from the environment.
 */
public final class JobOptions {

    // --- the event store (source) ---

    public static final ConfigOption<String> MONGODB_URI = key(JobOptionKeys.MONGODB_URI).stringType().noDefaultValue()
        .withDescription("Connection string of the event store's replica set, for example "
            + "mongodb://db1:27017,db2:27017/?replicaSet=rs0&tls=true. Without credentials: those go in "
            + "mongodb.username and mongodb.password, so that they are never part of a logged string.");
    public static final ConfigOption<String> MONGODB_USERNAME = key("mongodb.username").stringType().noDefaultValue()
        .withDescription("User for SCRAM authentication (choose the mechanism with authMechanism in mongodb.uri).");
    public static final ConfigOption<String> MONGODB_PASSWORD = key("mongodb.password").stringType().noDefaultValue()
        .withDescription("Password of mongodb.username. Prefer the environment variable EVENTFLOW_MONGODB_PASSWORD. "
            + "Never logged.");
    public static final ConfigOption<String> MONGODB_DATABASE = key(JobOptionKeys.MONGODB_DATABASE).stringType()
        .defaultValue("eventstore").withDescription("Database of the event collection.");
    public static final ConfigOption<String> MONGODB_COLLECTION = key(JobOptionKeys.MONGODB_COLLECTION).stringType()
        .defaultValue("events").withDescription("The event collection.");

    public static final ConfigOption<StartupMode> SOURCE_STARTUP_MODE = key(JobOptionKeys.SOURCE_STARTUP_MODE)
        .enumType(StartupMode.class).defaultValue(StartupMode.INITIAL)
        .withDescription("INITIAL (snapshot, then stream; rebuilds), LATEST (only events committed after the "
            + "start) or TIMESTAMP (only events committed at or after source.startup.timestamp). Under LATEST and "
            + "TIMESTAMP each aggregate starts at the first such event: its earlier events are never read, published "
            + "or projected, so use them for a job that publishes to Kafka (outputs=kafka); read models need INITIAL. "
            + "Used only when the job starts without state; a restore keeps where the first start began.");
    public static final ConfigOption<String> SOURCE_STARTUP_TIMESTAMP = key("source.startup.timestamp").stringType()
        .noDefaultValue().withDescription("For TIMESTAMP: an ISO-8601 instant or epoch milliseconds (second "
            + "precision, as MongoDB cluster times).");
    public static final ConfigOption<Duration> SOURCE_HEARTBEAT_INTERVAL = key("source.heartbeat.interval")
        .durationType().defaultValue(Duration.ofSeconds(10))
        .withDescription("How often the source records its position while no events arrive, so that its resume "
            + "token stays recent. 0 disables heartbeats.");
    public static final ConfigOption<Integer> SOURCE_PARALLELISM = key("source.parallelism").intType().defaultValue(1)
        .withDescription("Parallelism of the source; more than 1 reads the snapshot in parallel chunks.");
    public static final ConfigOption<Integer> SOURCE_CHUNK_SIZE_MB = key("source.snapshot.chunk-size-mb").intType()
        .defaultValue(64).withDescription("Size of one snapshot chunk (splitVector's maxChunkSize).");
    public static final ConfigOption<Integer> SOURCE_BATCH_SIZE = key("source.batch-size").intType().defaultValue(1024)
        .withDescription("Cursor batch size for the snapshot and the change stream.");
    public static final ConfigOption<Duration> SOURCE_POLL_INTERVAL = key("source.poll-interval").durationType()
        .defaultValue(Duration.ofMillis(100)).withDescription("Longest time a change read from the change stream "
            + "waits in the source's queue before it is handed to Flink (Flink CDC's poll.await.time.ms, whose own "
            + "default of 1 s adds up to a second of latency whenever fewer than source.poll-max-batch-size changes "
            + "are queued).");
    public static final ConfigOption<Integer> SOURCE_POLL_MAX_BATCH_SIZE = key("source.poll-max-batch-size").intType()
        .defaultValue(1024).withDescription("Changes handed to Flink at once; a full batch is handed over at "
            + "once (Flink CDC's poll.max.batch.size).");
    public static final ConfigOption<String> SOURCE_UID = key(JobOptionKeys.SOURCE_UID).stringType()
        .defaultValue(JobOperators.SOURCE_UID).withDescription("Operator uid of the source. Change it (with "
            + "allowNonRestoredState) to start a fresh source while keeping the ordering and projection state, "
            + "for example after the resume token left the oplog.");

    // --- ordering ---

    public static final ConfigOption<Duration> ORDERING_GAP_TIMEOUT = key("ordering.gap-timeout").durationType()
        .defaultValue(Duration.ofSeconds(10)).withDescription("How long a gap in an aggregate's stream may stay "
            + "open before the missing range is read from the event store.");
    public static final ConfigOption<GapPolicy> ORDERING_GAP_POLICY = key("ordering.gap-policy")
        .enumType(GapPolicy.class).defaultValue(GapPolicy.WAIT).withDescription("What to do with a gap the event "
            + "store cannot fill: WAIT (alert once, count, keep retrying with backoff, skip nothing), SKIP (alert, emit "
            + "past it; an event that turns up later is dead-lettered) or FAIL the job.");
    public static final ConfigOption<Integer> ORDERING_MAX_BUFFERED_PER_KEY = key("ordering.max-buffered-per-key")
        .intType().defaultValue(10_000).withDescription("Early events buffered per aggregate while a gap is "
            + "open, in the snapshot and the stream phase alike. Past it an event is not buffered but left in the "
            + "store, where it is read when its turn comes (nothing is lost); the first one sends a gap alert "
            + "(buffer-full) and brings the read of the gap forward, which then follows ordering.gap-policy.");
    public static final ConfigOption<Integer> ORDERING_GAP_FILL_PAGE_SIZE = key("ordering.gap-fill.page-size")
        .intType().defaultValue(500).withDescription("Most events one read of the event store returns. A gap is "
            + "read page by page, one page per timer, so that no read holds up the ordering subtask for long.");
    public static final ConfigOption<Duration> ORDERING_GAP_FILL_TIMEOUT = key("ordering.gap-fill.timeout")
        .durationType().defaultValue(Duration.ofSeconds(2)).withDescription("maxTimeMS of each read of missing "
            + "events, and the gap filler's server-selection, connect and pool-wait timeouts; its socket read timeout "
            + "is this plus 1 s. A slow or unreachable store holds up an ordering subtask (and its checkpoint "
            + "barrier) for at most about 3 times this per read; a failed read is retried with backoff.");
    public static final ConfigOption<Duration> ORDERING_GAP_FILL_MAX_BACKOFF = key("ordering.gap-fill.max-backoff")
        .durationType().defaultValue(Duration.ofMinutes(5)).withDescription("Longest wait between two reads for a "
            + "gap the store could not fill or could not be read: the first retry comes after ordering.gap-timeout, "
            + "each next one after twice the wait before, up to this.");
    public static final ConfigOption<Duration> ORDERING_SNAPSHOT_GAP_TIMEOUT = key("ordering.snapshot-gap-timeout")
        .durationType().defaultValue(Duration.ofMinutes(5)).withDescription("Gaps among snapshot events are "
            + "expected (chunks arrive in any order) and filled by the snapshot itself; only after this long is "
            + "the store read for them.");

    // --- projections and read models ---

    public static final ConfigOption<List<String>> PROJECTIONS = key(JobOptionKeys.PROJECTIONS).stringType().asList()
        .noDefaultValue().withDescription("Projections to run, by name, separated by ';'. Without it, every projection "
            + "found on the job's classpath (each ProjectionProvider of the job jar and of the jars added to it).");
    public static final ConfigOption<Duration> PROJECTION_FLUSH_INTERVAL = key("projection.flush-interval").durationType()
        .defaultValue(Duration.ofMillis(100)).withDescription("Read models changed by events are written at most once "
            + "per interval, with their newest version (the upserts are version-guarded, so nothing is lost). 0 writes "
            + "after every event. Each flush writes every changed aggregate's state and read model: with RocksDB and many "
            + "busy aggregates, a longer interval trades read-model latency for far fewer writes.");
    public static final ConfigOption<Duration> PROJECTION_CATCH_UP_FLUSH_INTERVAL = key("projection.catch-up.flush-interval")
        .durationType().defaultValue(Duration.ofSeconds(1)).withDescription("The flush interval while the job catches "
            + "up: when the events it applies were committed more than projection.catch-up.lag ago (after a start from "
            + "a backlog, a restore, an outage), read models are written at most once per this interval, so that each "
            + "write carries more of an aggregate's events; once the job keeps up, projection.flush-interval again.");
    public static final ConfigOption<Duration> PROJECTION_CATCH_UP_LAG = key("projection.catch-up.lag").durationType()
        .defaultValue(Duration.ofSeconds(2)).withDescription("How far behind the store (commit to projection) the job "
            + "is catching up, for projection.catch-up.flush-interval. Snapshot events always count as catching up.");
    public static final ConfigOption<String> READMODEL_MONGODB_URI = key("readmodel.mongodb.uri").stringType()
        .noDefaultValue().withDescription("Connection string of the MongoDB deployment that holds the read models, when "
            + "it is not the event store's (mongodb.uri); the same credentials (mongodb.username, mongodb.password) "
            + "are used, and it may not contain a password either.");
    public static final ConfigOption<String> READMODEL_DATABASE = key(JobOptionKeys.READMODEL_DATABASE).stringType()
        .defaultValue("readmodels").withDescription("Database of the read models.");
    public static final ConfigOption<String> READMODEL_COLLECTION_SUFFIX = key(JobOptionKeys.READMODEL_COLLECTION_SUFFIX)
        .stringType().defaultValue("").withDescription("Appended to every projection's collection, for example "
            + "_v2 when rebuilding into new collections next to the live ones.");
    public static final ConfigOption<Integer> READMODEL_BATCH_SIZE = key("readmodel.batch-size").intType()
        .defaultValue(1000).withDescription("Upserts per bulk write.");
    public static final ConfigOption<Duration> READMODEL_BATCH_INTERVAL = key("readmodel.batch-interval")
        .durationType().defaultValue(Duration.ofMillis(50)).withDescription("A partial batch is written after "
            + "this long (and always at a checkpoint).");
    public static final ConfigOption<Integer> READMODEL_MAX_RETRIES = key("readmodel.max-retries").intType()
        .defaultValue(5).withDescription("Retries of a failed bulk write before the job fails and restarts from "
            + "its last checkpoint (the upserts are version-guarded, so replays are harmless).");

    // --- Kafka ---

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = key(JobOptionKeys.KAFKA_BOOTSTRAP_SERVERS).stringType()
        .noDefaultValue().withDescription("Kafka brokers, host:port[,host:port].");
    public static final ConfigOption<String> KAFKA_TOPIC_PREFIX = key(JobOptionKeys.KAFKA_TOPIC_PREFIX).stringType()
        .defaultValue("events").withDescription("Events go to <prefix>.<aggregateType> (or <prefix> in SINGLE "
            + "mode); dead letters to <prefix>.dlq, integrity violations to <prefix>.integrity, gap alerts to "
            + "<prefix>.alerts.");
    public static final ConfigOption<TopicMode> KAFKA_TOPIC_MODE = key("kafka.topic-mode").enumType(TopicMode.class)
        .defaultValue(TopicMode.PER_AGGREGATE_TYPE).withDescription("PER_AGGREGATE_TYPE or SINGLE. Events "
            + "without an aggregate type go to <prefix>.untyped in PER_AGGREGATE_TYPE mode.");
    public static final ConfigOption<String> KAFKA_TRANSACTIONAL_ID_PREFIX = key(JobOptionKeys.KAFKA_TRANSACTIONAL_ID_PREFIX)
        .stringType().defaultValue("eventflow-projection").withDescription("Prefix of the Kafka transactional "
            + "ids; unique per job, and unchanged across restarts and upgrades so that open transactions recover.");
    public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT = key("kafka.transaction-timeout")
        .durationType().defaultValue(Duration.ofMinutes(15)).withDescription("transaction.timeout.ms of the "
            + "producers. Must exceed checkpoint.interval plus checkpoint.timeout (a transaction stays open until "
            + "its checkpoint completes) and not exceed the brokers' transaction.max.timeout.ms (15 min by default).");
    public static final ConfigOption<Integer> KAFKA_MAX_RECORD_BYTES = key("kafka.max-record-bytes").intType()
        .defaultValue(1_000_000).withDescription("The budget of every record the job publishes (key, value and "
            + "headers, in bytes): an event whose record could be larger is dead-lettered instead of published, and "
            + "dead letters, integrity records and alerts are cut to fit. Must be at least 1024 bytes below the "
            + "producers' max.request.size (1048576 unless set under kafka.properties.) and the topics' "
            + "max.message.bytes.");

    // --- dead letters ---

    public static final ConfigOption<Integer> DEAD_LETTER_MAX_DOCUMENT_BYTES = key("dead-letter.max-document-bytes")
        .intType().defaultValue(100_000).withDescription("Raw documents in dead letters, and the document and the "
            + "update description in integrity records, are cut to this many bytes as written (UTF-8, JSON-escaped); "
            + "the record's rawDocumentTruncated, documentTruncated or updateDescriptionTruncated says so. Reasons are "
            + "cut to 8 KiB and identifiers to 1 KiB; two documents and those must fit kafka.max-record-bytes.");

    // --- checkpoints and the job ---

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key(JobOptionKeys.CHECKPOINT_INTERVAL).durationType()
        .defaultValue(Duration.ofSeconds(10)).withDescription("Exactly-once checkpoint interval: Kafka "
            + "transactions commit and read-model batches are flushed at each checkpoint.");
    public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT = key("checkpoint.timeout").durationType()
        .defaultValue(Duration.ofMinutes(5)).withDescription("A checkpoint that takes longer is aborted.");
    public static final ConfigOption<Duration> CHECKPOINT_MIN_PAUSE = key("checkpoint.min-pause").durationType()
        .defaultValue(Duration.ofSeconds(1)).withDescription("Least time between the end of one checkpoint and the "
            + "start of the next.");
    public static final ConfigOption<List<String>> OUTPUTS = key(JobOptionKeys.OUTPUTS).stringType().asList()
        .defaultValues(JobOptionKeys.OUTPUT_READ_MODELS, JobOptionKeys.OUTPUT_KAFKA).withDescription("What the job writes: read-models, kafka, or both. A "
            + "rebuild job writes read-models only, and then only projection dead letters reach Kafka; a job without "
            + "read-models runs no projections.");
    public static final ConfigOption<String> JOB_NAME = key(JobOptionKeys.JOB_NAME).stringType()
        .defaultValue("eventflow-projections").withDescription("Name of the job in the dashboard.");
    public static final ConfigOption<Integer> JOB_PARALLELISM = key(JobOptionKeys.JOB_PARALLELISM).intType().defaultValue(-1)
        .withDescription("Parallelism of ordering, projections and sinks; -1 takes the cluster's default.");
    public static final ConfigOption<Integer> JOB_MAX_PARALLELISM = key("job.max-parallelism").intType()
        .defaultValue(128).withDescription("Maximum parallelism of every operator (pipeline.max-parallelism): the "
            + "number of key groups keyed state is split into. The first savepoint fixes it for good, so set it once, "
            + "before the first start, to at least the most subtasks the job will ever run (at most 32768). 128, the "
            + "least Flink derives, also matches savepoints of jobs that ran with 85 subtasks or fewer without it.");

    /** Keys under this prefix are passed to the Kafka producers as they are (TLS, SASL/SCRAM, ...). */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final List<ConfigOption<?>> ALL = List.of(MONGODB_URI, MONGODB_USERNAME, MONGODB_PASSWORD,
        MONGODB_DATABASE, MONGODB_COLLECTION, SOURCE_STARTUP_MODE, SOURCE_STARTUP_TIMESTAMP, SOURCE_HEARTBEAT_INTERVAL,
        SOURCE_PARALLELISM, SOURCE_CHUNK_SIZE_MB, SOURCE_BATCH_SIZE, SOURCE_POLL_INTERVAL, SOURCE_POLL_MAX_BATCH_SIZE,
        SOURCE_UID, ORDERING_GAP_TIMEOUT, ORDERING_GAP_POLICY, ORDERING_MAX_BUFFERED_PER_KEY,
        ORDERING_SNAPSHOT_GAP_TIMEOUT, ORDERING_GAP_FILL_PAGE_SIZE, ORDERING_GAP_FILL_TIMEOUT,
        ORDERING_GAP_FILL_MAX_BACKOFF, PROJECTIONS, PROJECTION_FLUSH_INTERVAL, PROJECTION_CATCH_UP_FLUSH_INTERVAL,
        PROJECTION_CATCH_UP_LAG,
        READMODEL_MONGODB_URI, READMODEL_DATABASE, READMODEL_COLLECTION_SUFFIX, READMODEL_BATCH_SIZE, READMODEL_BATCH_INTERVAL,
        READMODEL_MAX_RETRIES, KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX, KAFKA_TOPIC_MODE,
        KAFKA_TRANSACTIONAL_ID_PREFIX, KAFKA_TRANSACTION_TIMEOUT, KAFKA_MAX_RECORD_BYTES,
        DEAD_LETTER_MAX_DOCUMENT_BYTES, CHECKPOINT_INTERVAL, CHECKPOINT_TIMEOUT, CHECKPOINT_MIN_PAUSE, OUTPUTS,
        JOB_NAME, JOB_PARALLELISM, JOB_MAX_PARALLELISM);

    private JobOptions() {
    }
}
