package io.eventflow.job;

import static io.eventflow.job.config.JobOptions.*;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.core.job.JobOperators;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.config.JobOutput;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.GapAlert;
import io.eventflow.job.model.IntegrityViolation;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.ordering.GapFiller;
import io.eventflow.job.ordering.MongoGapFiller;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.ordering.OrderingSettings;
import io.eventflow.job.ordering.StartPosition;
import io.eventflow.job.projection.FlushPolicy;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.crossaggregate.ContributionRouter;
import io.eventflow.job.projection.crossaggregate.CrossAggregateOperator;
import io.eventflow.job.sink.CrossAggregateCommitter;
import io.eventflow.job.sink.CrossAggregateSink;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.sink.JsonRecordSerializer;
import io.eventflow.job.sink.KafkaSinks;
import io.eventflow.job.sink.ReadModelSinks;
import io.eventflow.job.source.ChangeRecordRouter;
import io.eventflow.job.source.EventCollection;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.job.source.EventSources;
import io.eventflow.job.source.StartupMode;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.Projection;

/**
 * The projection job: the event collection's change stream (Flink CDC), validated, put back in per-aggregate order,
 * projected into version-guarded read models in MongoDB, per aggregate and across aggregates, and published exactly
 * once to Kafka.
 *
 * <pre>
 * MongoDB CDC source ─▶ validate ─▶ keyBy(aggregateId) ─▶ restore order ─┬─▶ projections ─▶ MongoDB read models
 *                          │ dead letters, integrity                     ├─▶ route ─▶ keyBy(projection, document)
 *                          │                                             │     ─▶ cross-aggregate projections
 *                          │                                             │     ─▶ MongoDB, at checkpoint completion
 *                          └─▶ Kafka &lt;prefix&gt;.dlq, &lt;prefix&gt;.integrity    └─▶ Kafka events (exactly-once)
 *                                                                          gap alerts ─▶ Kafka &lt;prefix&gt;.alerts
 * </pre>
 *
 * The projections are the users': the job runs every {@code ProjectionProvider} on its classpath (or those the
 * {@code projections} option names). Every stateful operator has a stable uid ({@link JobOperators}); savepoints
 * depend on them. Run with {@code bin/submit --jar app.jar -- --config job.yaml}; see README for the options.
 */
public final class ProjectionJob {

    private static final Logger log = LoggerFactory.getLogger(ProjectionJob.class);

    /** Longest reason a dead letter carries. */
    static final int MAX_REASON_CHARS = 2_000;
    /** Aggregates (or documents) a projection mini-batch holds before it is flushed early. */
    static final int MAX_BUNDLED_KEYS = 20_000;
    /** How the cross-aggregate committer retries a batch before it hands it back to Flink. */
    static final CrossAggregateCommitter.Settings COMMITTER = new CrossAggregateCommitter.Settings(3,
        Duration.ofMillis(500), 1000);

    private final JobConfig config;
    private final ProjectionRegistry registry;
    private final GapFiller gapFiller;

    public ProjectionJob(JobConfig config, ProjectionRegistry registry) {
        this(config, registry, null);
    }

    /** With another gap filler (tests). */
    public ProjectionJob(JobConfig config, ProjectionRegistry registry, GapFiller gapFiller) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.gapFiller = gapFiller;
    }

    public static void main(String[] args) throws Exception {
        JobConfig config = JobConfig.load(args, System.getenv());
        ProjectionCatalog catalog = ProjectionCatalog.discover(Thread.currentThread().getContextClassLoader());
        ProjectionRegistry registry = catalog.select(config.projections());
        log.info("starting with {}", config);
        log.info("projections discovered: {}; running: {}", catalog.describe(), registry.names());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ProjectionJob job = new ProjectionJob(config, registry);
        job.configure(env);
        job.build(env);
        env.execute(config.get(JOB_NAME));
    }
    /**
     * Exactly-once checkpoints, kept when the job is cancelled, the job's parallelism and maximum parallelism, and
     * object reuse: the
     * operators never hold on to their input (ordering copies what it buffers), so records are passed between
     * chained operators without copying.
     */
    public void configure(StreamExecutionEnvironment env) {
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(config.get(CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(config.get(CHECKPOINT_TIMEOUT).toMillis());
        checkpoints.setMinPauseBetweenCheckpoints(config.get(CHECKPOINT_MIN_PAUSE).toMillis());
        checkpoints.setExternalizedCheckpointCleanup(CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);
        if (config.get(JOB_PARALLELISM) > 0) {
            env.setParallelism(config.get(JOB_PARALLELISM));
        }
        // explicit, so that the first savepoint does not freeze a maximum Flink derived from the first parallelism
        env.setMaxParallelism(config.get(JOB_MAX_PARALLELISM));
    }

    /**
     * The whole pipeline, reading the event collection with Flink CDC. A job that starts with a snapshot first makes
     * sure the event collection exists (see {@link EventCollection}).
     */
    public void build(StreamExecutionEnvironment env) {
        if (config.get(SOURCE_STARTUP_MODE) == StartupMode.INITIAL) {
            EventCollection.ensureExists(config.eventStore(), config.get(MONGODB_DATABASE), config.get(MONGODB_COLLECTION));
        }
        DataStream<ChangeRecord> changes = env
            .fromSource(EventSources.create(config), WatermarkStrategy.noWatermarks(),
                "MongoDB change stream: " + config.get(MONGODB_DATABASE) + "." + config.get(MONGODB_COLLECTION))
            .uid(config.get(SOURCE_UID))
            .setParallelism(config.get(SOURCE_PARALLELISM));
        build(changes);
    }

    /** The pipeline after the source, for any stream of change records (tests feed their own). */
    public void build(DataStream<ChangeRecord> changes) {
        int maxDocumentChars = config.get(DEAD_LETTER_MAX_DOCUMENT_BYTES);
        EventDocumentReader reader = new EventDocumentReader(config.get(KAFKA_MAX_RECORD_BYTES));

        // at the source's parallelism, chained to it: the change records (extended JSON text) never cross the network,
        // only the parsed events do; and the source's order reaches the keyBy unchanged, so each aggregate's
        // change-stream events arrive at ordering in commit order (a rebalance here would let two channels reorder them)
        SingleOutputStreamOperator<EventEnvelope> events = changes
            .process(new ChangeRecordRouter(reader, maxDocumentChars), TypeInformation.of(EventEnvelope.class))
            .setParallelism(changes.getParallelism())
            .uid(JobOperators.ROUTER_UID).name(JobOperators.ROUTER_NAME);

        OrderingSettings ordering = new OrderingSettings(config.get(ORDERING_GAP_TIMEOUT),
            config.get(ORDERING_SNAPSHOT_GAP_TIMEOUT), config.get(ORDERING_GAP_POLICY),
            config.get(ORDERING_MAX_BUFFERED_PER_KEY), maxDocumentChars)
            .withFillPageSize(config.get(ORDERING_GAP_FILL_PAGE_SIZE))
            .withMaxFillBackoff(config.get(ORDERING_GAP_FILL_MAX_BACKOFF))
            .withStart(startPosition());
        GapFiller filler = gapFiller != null ? gapFiller : new MongoGapFiller(config.eventStore(),
            config.get(MONGODB_DATABASE), config.get(MONGODB_COLLECTION), reader, config.get(ORDERING_GAP_FILL_TIMEOUT));
        SingleOutputStreamOperator<EventEnvelope> ordered = events
            .keyBy(event -> event.aggregateId)
            .process(new OrderingFunction(ordering, filler), TypeInformation.of(EventEnvelope.class))
            .uid(JobOperators.ORDERING_UID).name(JobOperators.ORDERING_NAME);

        EnumSet<JobOutput> outputs = config.outputs();
        DataStream<DeadLetter> deadLetters = events.getSideOutput(ChangeRecordRouter.DEAD_LETTERS)
            .union(ordered.getSideOutput(OrderingFunction.DEAD_LETTERS));
        if (outputs.contains(JobOutput.READ_MODELS)) {
            DataStream<DeadLetter> projectionDeadLetters = project(ordered);
            if (outputs.contains(JobOutput.KAFKA)) {
                deadLetters = deadLetters.union(projectionDeadLetters);
            } else {
                // the job that publishes to Kafka runs no projections: these dead letters are this job's to publish
                publishDeadLetters(projectionDeadLetters);
            }
        }
        if (!outputs.contains(JobOutput.KAFKA)) {
            return; // another job publishes the events, source dead letters, violations and alerts
        }

        ordered.sinkTo(KafkaSinks.exactlyOnce(bootstrapServers(), transactionalId("events"), transactionTimeout(),
                config.kafkaProperties(), new EventRecordSerializer(config.get(KAFKA_TOPIC_PREFIX), config.get(KAFKA_TOPIC_MODE))))
            .uid(JobOperators.KAFKA_EVENTS_UID).name("Publish events to Kafka (exactly-once)");

        publishDeadLetters(deadLetters);

        DataStream<IntegrityViolation> violations = events.getSideOutput(ChangeRecordRouter.INTEGRITY_VIOLATIONS);
        violations.sinkTo(KafkaSinks.atLeastOnce(bootstrapServers(), config.kafkaProperties(),
                new JsonRecordSerializer<IntegrityViolation>(topic("integrity"), config.recordLimits())))
            .uid(JobOperators.KAFKA_INTEGRITY_UID).name("Publish integrity violations");

        DataStream<GapAlert> alerts = ordered.getSideOutput(OrderingFunction.GAP_ALERTS);
        alerts.sinkTo(KafkaSinks.atLeastOnce(bootstrapServers(), config.kafkaProperties(),
                new JsonRecordSerializer<GapAlert>(topic("alerts"), config.recordLimits())))
            .uid(JobOperators.KAFKA_ALERTS_UID).name("Publish gap alerts");
    }

    /** The projections of both kinds and their read-model sinks; returns the projections' dead letters. */
    private DataStream<DeadLetter> project(SingleOutputStreamOperator<EventEnvelope> ordered) {
        ProjectionFailures.Settings failures = new ProjectionFailures.Settings(config.get(DEAD_LETTER_MAX_DOCUMENT_BYTES),
            MAX_REASON_CHARS);
        FlushPolicy flushPolicy = new FlushPolicy(config.get(PROJECTION_FLUSH_INTERVAL).toMillis(),
            config.get(PROJECTION_CATCH_UP_FLUSH_INTERVAL).toMillis(), config.get(PROJECTION_CATCH_UP_LAG).toMillis(),
            MAX_BUNDLED_KEYS);
        // ordered is partitioned by aggregateId already: no second shuffle for the projections
        KeyedStream<EventEnvelope, String> byAggregate = DataStreamUtils.reinterpretAsKeyedStream(ordered,
            event -> event.aggregateId);
        DataStream<DeadLetter> deadLetters = null;
        if (!registry.projections().isEmpty()) {
            SingleOutputStreamOperator<ReadModelUpdate> updates = byAggregate
                .transform(JobOperators.PROJECTIONS_NAME, TypeInformation.of(ReadModelUpdate.class),
                    new ProjectionOperator(registry, failures, flushPolicy))
                .uid(JobOperators.PROJECTIONS_UID);
            sinkReadModels(updates);
            deadLetters = updates.getSideOutput(ProjectionOperator.DEAD_LETTERS);
        }
        if (!registry.crossAggregateProjections().isEmpty()) {
            SingleOutputStreamOperator<Contribution> contributions = byAggregate
                .process(new ContributionRouter(registry, failures), TypeInformation.of(Contribution.class))
                .uid(JobOperators.CROSS_AGGREGATE_ROUTER_UID).name(JobOperators.CROSS_AGGREGATE_ROUTER_NAME);
            SingleOutputStreamOperator<CrossAggregateUpdate> documents = contributions
                .keyBy(contribution -> Tuple2.of(contribution.projection, contribution.documentKey),
                    Types.TUPLE(Types.STRING, Types.STRING))
                .transform(JobOperators.CROSS_AGGREGATE_PROJECTIONS_NAME, TypeInformation.of(CrossAggregateUpdate.class),
                    new CrossAggregateOperator(registry, failures, flushPolicy))
                .uid(JobOperators.CROSS_AGGREGATE_PROJECTIONS_UID);
            Map<String, String> collections = new LinkedHashMap<>();
            for (CrossAggregateProjection<?> projection : registry.crossAggregateProjections()) {
                collections.put(projection.name(), projection.collection() + config.get(READMODEL_COLLECTION_SUFFIX));
            }
            documents.sinkTo(new CrossAggregateSink(config.readModelStore(), config.get(READMODEL_DATABASE), collections,
                    COMMITTER))
                .uid(JobOperators.CROSS_AGGREGATE_SINK_UID)
                .name("Commit cross-aggregate documents to " + config.get(READMODEL_DATABASE) + " (at checkpoints)");
            DataStream<DeadLetter> crossDeadLetters = contributions.getSideOutput(ContributionRouter.DEAD_LETTERS)
                .union(documents.getSideOutput(CrossAggregateOperator.DEAD_LETTERS));
            deadLetters = deadLetters == null ? crossDeadLetters : deadLetters.union(crossDeadLetters);
        }
        return deadLetters;
    }

    /**
     * Where aggregates without state start, should the job start without state: from sequenceNo 1 for INITIAL; for
     * LATEST and TIMESTAMP, at the first change-stream event the source delivers for them (at or after the startup
     * timestamp), since the source delivers nothing before its start.
     */
    private StartPosition startPosition() {
        return switch (config.get(SOURCE_STARTUP_MODE)) {
            case INITIAL -> StartPosition.beginning();
            case LATEST -> StartPosition.firstEventAfter(0);
            case TIMESTAMP -> StartPosition.firstEventAfter((config.startupTimestampMillis() / 1000) << 32);
        };
    }

    private void publishDeadLetters(DataStream<DeadLetter> deadLetters) {
        deadLetters.sinkTo(KafkaSinks.atLeastOnce(bootstrapServers(), config.kafkaProperties(),
                new JsonRecordSerializer<DeadLetter>(topic("dlq"), config.recordLimits())))
            .uid(JobOperators.KAFKA_DEAD_LETTERS_UID).name("Publish dead letters");
    }

    private void sinkReadModels(DataStream<ReadModelUpdate> updates) {
        String uri = config.readModelStore().uriWithCredentials();
        for (Projection<?> projection : registry.projections()) {
            String name = projection.name();
            String collection = projection.collection() + config.get(READMODEL_COLLECTION_SUFFIX);
            updates.filter(update -> update.projection.equals(name))
                .uid(JobOperators.SELECT_UID_PREFIX + name).name("Select " + name + " updates")
                .sinkTo(ReadModelSinks.create(uri, config.get(READMODEL_DATABASE), collection,
                    config.get(READMODEL_BATCH_SIZE), config.get(READMODEL_BATCH_INTERVAL).toMillis(),
                    config.get(READMODEL_MAX_RETRIES)))
                .uid(JobOperators.READ_MODEL_SINK_UID_PREFIX + name).name("Upsert " + config.get(READMODEL_DATABASE)
                    + "." + collection + " (version-guarded)");
        }
    }

    private String bootstrapServers() {
        return config.get(KAFKA_BOOTSTRAP_SERVERS);
    }

    private String transactionalId(String sink) {
        return config.get(KAFKA_TRANSACTIONAL_ID_PREFIX) + "-" + sink;
    }

    private Duration transactionTimeout() {
        return config.get(KAFKA_TRANSACTION_TIMEOUT);
    }

    private String topic(String suffix) {
        return config.get(KAFKA_TOPIC_PREFIX) + "." + suffix;
    }
}
