package io.eventflow.ops.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.bson.Document;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.eventflow.core.job.JobOperators;
import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.ops.audit.AuditResult;
import io.eventflow.ops.audit.Audits;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.rest.FlinkRestException;
import io.eventflow.ops.rest.JobInfo;
import io.eventflow.ops.status.Lag;
import io.eventflow.ops.submit.JobSubmission;
import io.eventflow.readmodels.ReadModelAliases;

/**
 * Zero-downtime rebuild of the read models, next to the live job:
 * <ol>
 *   <li>start a second job from the same or a new jar with startup {@code initial}, writing read models only, into
 *       {@code <collection>_v<N>};</li>
 *   <li>wait for the cut-over gate: its lag (events in the store that it has not yet put in order) is at most
 *       {@code maxLag}, and an audit of every new collection against the store finds no drift;</li>
 *   <li>switch every read model's alias to its new collection, one atomic document write each;</li>
 *   <li>hand over: the live job, if it wrote read models, is restarted from a savepoint writing to Kafka only (its
 *       ordering state and Kafka transactions carry on); an earlier read-model job is cancelled;</li>
 *   <li>after {@code retireAfter}, drop the collections readers no longer use.</li>
 * </ol>
 * Kafka never sees the rebuild: exactly one job publishes at any time.
 */
public final class Rebuild {

    /** Operators that only a job writing read models has; how the hand-over tells the live job's role. */
    static final List<String> PROJECTION_OPERATORS = List.of(JobOperators.PROJECTIONS_NAME,
        JobOperators.CROSS_AGGREGATE_PROJECTIONS_NAME);

    private final FlinkRestClient flink;
    private final JobLifecycle lifecycle;
    private final MongoCollection<Document> events;
    private final MongoDatabase readModels;
    private final ReadModelAliases aliases;
    private final Map<String, Audits.Audit> readModelAudits;
    private final JobSubmission submission;
    private final String liveJobId;
    private final long maxLag;
    private final Duration gateTimeout;
    private final Duration retireAfter;
    private final String savepointDirectory;
    private final Consumer<String> progress;

    private Rebuild(Builder builder) {
        this.flink = Objects.requireNonNull(builder.flink, "flink");
        this.events = Objects.requireNonNull(builder.events, "events");
        this.readModels = Objects.requireNonNull(builder.readModels, "readModels");
        this.readModelAudits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.readModelAudits));
        this.submission = Objects.requireNonNull(builder.submission, "submission");
        this.liveJobId = Objects.requireNonNull(builder.liveJobId, "liveJobId");
        this.maxLag = builder.maxLag;
        this.gateTimeout = builder.gateTimeout;
        this.retireAfter = builder.retireAfter;
        this.savepointDirectory = builder.savepointDirectory;
        this.progress = builder.progress;
        this.lifecycle = new JobLifecycle(flink, progress, builder.operationTimeout);
        this.aliases = new ReadModelAliases(readModels);
        if (readModelAudits.isEmpty()) {
            throw new IllegalArgumentException("a rebuild needs at least one read model");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * How long the gate's audit waits before it reads a drifting read model again: longer than the job's checkpoint
     * interval, since cross-aggregate read models are written when a checkpoint completes and so trail the store by
     * up to one interval while events keep coming (a shorter wait lets the gate pass only in a lull). 1 s when
     * checkpointing is off ({@link io.eventflow.ops.rest.FlinkRestClient#checkpointInterval} gives zero then).
     */
    public static Duration auditSettle(Duration checkpointInterval) {
        return checkpointInterval.plusSeconds(1);
    }

    /** What a rebuild did. */
    public record Result(String readModelJobId, String kafkaJobId, int version, Map<String, String> switched,
                         List<String> retired) {
    }

    public Result run() {
        Map<String, String> current = new LinkedHashMap<>();
        int version = 1;
        for (String readModel : readModelAudits.keySet()) {
            String collection = aliases.resolve(readModel);
            current.put(readModel, collection);
            version = Math.max(version, ReadModelAliases.versionOf(readModel, collection));
        }
        int next = version + 1;
        String suffix = ReadModelAliases.suffix(next);
        String liveName = flink.job(liveJobId).name();
        for (String readModel : readModelAudits.keySet()) {
            readModels.getCollection(readModel + suffix).drop(); // leftovers of an abandoned attempt
            readModels.getCollection(ReadModelFields.appliedCollection(readModel + suffix)).drop();
        }
        progress.accept("rebuilding " + String.join(", ", readModelAudits.keySet()) + " into version " + next
            + " (collections " + String.join(", ", readModelAudits.keySet().stream().map(name -> name + suffix).toList()) + ")");

        List<String> rebuildArguments = new ArrayList<>(submission.arguments());
        rebuildArguments.addAll(List.of("--" + JobOptionKeys.SOURCE_STARTUP_MODE, JobOptionKeys.STARTUP_INITIAL,
            "--" + JobOptionKeys.READMODEL_COLLECTION_SUFFIX, suffix,
            "--" + JobOptionKeys.OUTPUTS, JobOptionKeys.OUTPUT_READ_MODELS,
            "--" + JobOptionKeys.KAFKA_TRANSACTIONAL_ID_PREFIX, liveName.replace(' ', '-') + suffix,
            "--" + JobOptionKeys.JOB_NAME, liveName + " read models v" + next));
        String rebuildJob = lifecycle.start(submission.withArguments(rebuildArguments));

        awaitCutOverGate(rebuildJob, suffix);

        Map<String, String> switched = new LinkedHashMap<>();
        for (String readModel : readModelAudits.keySet()) {
            String previous = aliases.switchTo(readModel, readModel + suffix);
            switched.put(readModel, readModel + suffix);
            progress.accept("readers of " + readModel + " now read " + readModel + suffix + " (was " + previous + ")");
        }

        String kafkaJob = handOver(rebuildJob);

        List<String> retired = new ArrayList<>();
        if (!retireAfter.isNegative()) {
            progress.accept("retiring the old collections in " + retireAfter.toSeconds() + " s");
            LockSupport.parkNanos(retireAfter.toNanos());
            for (String collection : current.values()) {
                readModels.getCollection(collection).drop();
                readModels.getCollection(ReadModelFields.appliedCollection(collection)).drop();
                retired.add(collection);
                progress.accept("dropped " + collection);
            }
        }
        return new Result(rebuildJob, kafkaJob, next, switched, retired);
    }

    /**
     * The job's running totals reach the REST API through a metric fetcher, seconds late; comparing them with the
     * store's count of the same moment would never close under load. So the gate takes the store's count first, then
     * waits until the job has accounted for at least that many documents ({@link Lag}: put in order, dead-lettered
     * without a position, arrived after a skip): everything the store held then has passed. The audit then checks the
     * new collections against the store.
     */
    private void awaitCutOverGate(String rebuildJob, String suffix) {
        Instant deadline = Instant.now().plus(gateTimeout);
        Instant nextReport = Instant.EPOCH;
        long target = events.estimatedDocumentCount();
        while (true) {
            Lag measured = Lag.measure(flink, rebuildJob, target);
            long lag = measured.events();
            if (Instant.now().isAfter(nextReport)) {
                progress.accept("rebuild " + measured.describe());
                nextReport = Instant.now().plusSeconds(5);
            }
            if (lag <= maxLag) {
                // cross-aggregate documents are written when a checkpoint completes: wait for one that covers the events
                awaitNextCheckpoint(rebuildJob, deadline);
                if (audited(suffix)) {
                    progress.accept("cut-over gate passed: the rebuild job has accounted for the " + target
                        + " events the store held, and every new collection matches the store");
                    return;
                }
                target = events.estimatedDocumentCount();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("the rebuild job " + rebuildJob + " did not catch up within " + gateTimeout
                    + " (lag " + lag + " events); readers still read the old collections");
            }
            String state = flink.job(rebuildJob).state();
            if (!JobInfo.isActive(state)) {
                throw new FlinkRestException("the rebuild job " + rebuildJob + " ended (" + state
                    + "); readers still read the old collections");
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
    }

    /** Waits until the job completes a checkpoint that started after this call. */
    private void awaitNextCheckpoint(String jobId, Instant deadline) {
        long before = flink.checkpoints(jobId).path("counts").path("completed").asLong();
        while (flink.checkpoints(jobId).path("counts").path("completed").asLong() < before + 2) {
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("the rebuild job " + jobId + " completed no checkpoint before the gate's "
                    + "deadline; readers still read the old collections");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    private boolean audited(String suffix) {
        for (Map.Entry<String, Audits.Audit> readModel : readModelAudits.entrySet()) {
            AuditResult result = readModel.getValue().audit(readModel.getKey(),
                readModels.getCollection(readModel.getKey() + suffix, org.bson.BsonDocument.class));
            if (!result.clean()) {
                progress.accept("gate: " + result.collection() + " still drifts on " + result.driftCount()
                    + " aggregates, for example " + result.drifts().get(0));
                return false;
            }
        }
        return true;
    }

    /**
     * Makes the Kafka publisher a Kafka-only job. A live job that also wrote read models is restarted from a savepoint
     * without them; a live job that already published only (an earlier rebuild split them) is kept, and the read-model
     * jobs of earlier versions are cancelled.
     */
    private String handOver(String rebuildJob) {
        if (writesReadModels(liveJobId)) {
            progress.accept("job " + liveJobId + " keeps publishing to Kafka, without read models");
            List<String> kafkaOnly = new ArrayList<>(submission.arguments());
            kafkaOnly.addAll(List.of("--" + JobOptionKeys.OUTPUTS, JobOptionKeys.OUTPUT_KAFKA));
            String savepoint = lifecycle.stopWithSavepoint(liveJobId, savepointDirectory);
            return lifecycle.start(submission.withArguments(kafkaOnly).restoredFrom(savepoint, true));
        }
        String readModelJobs = flink.job(liveJobId).name() + " read models v";
        for (JobInfo job : flink.jobs()) {
            if (job.isActive() && job.name().startsWith(readModelJobs) && !job.id().equals(rebuildJob)) {
                flink.cancel(job.id());
                progress.accept("cancelled the previous read-model job " + job.id() + " (" + job.name() + ")");
            }
        }
        return liveJobId;
    }

    private boolean writesReadModels(String jobId) {
        for (JsonNode vertex : flink.jobDetails(jobId).path("vertices")) {
            for (String operator : PROJECTION_OPERATORS) {
                if (vertex.path("name").asText().contains(operator)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Settings of a rebuild; everything but the timings is required. */
    public static final class Builder {
        private FlinkRestClient flink;
        private MongoCollection<Document> events;
        private MongoDatabase readModels;
        private final Map<String, Audits.Audit> readModelAudits = new LinkedHashMap<>();
        private JobSubmission submission;
        private String liveJobId;
        private long maxLag = 0;
        private Duration gateTimeout = Duration.ofHours(6);
        private Duration retireAfter = Duration.ofMinutes(5);
        private Duration operationTimeout = Duration.ofMinutes(5);
        private String savepointDirectory;
        private Consumer<String> progress = line -> { };

        public Builder flink(FlinkRestClient flink) { this.flink = flink; return this; }

        /** The event collection, read for the gate's lag and audit. */
        public Builder events(MongoCollection<Document> events) { this.events = events; return this; }

        /** The read-model database, which also holds the aliases. */
        public Builder readModels(MongoDatabase readModels) { this.readModels = readModels; return this; }

        /** A read model to rebuild (its base collection name) and how the cut-over gate audits it. */
        public Builder readModel(String name, Audits.Audit audit) { readModelAudits.put(name, audit); return this; }

        /**
         * The job the rebuild runs (the new version or the live one) with its jars and arguments (such as
         * {@code --config job.yaml}); the rebuild adds its own arguments after them.
         */
        public Builder submission(JobSubmission submission) { this.submission = submission; return this; }

        /** The job publishing to Kafka now. */
        public Builder liveJob(String jobId) { this.liveJobId = jobId; return this; }

        /** Events the rebuild job may still be behind the store at cut-over (default 0). */
        public Builder maxLag(long events) { this.maxLag = events; return this; }

        public Builder gateTimeout(Duration timeout) { this.gateTimeout = timeout; return this; }

        /** How long readers that cached the old alias get before the old collections are dropped; negative keeps them. */
        public Builder retireAfter(Duration delay) { this.retireAfter = delay; return this; }

        public Builder operationTimeout(Duration timeout) { this.operationTimeout = timeout; return this; }

        public Builder savepointDirectory(String directory) { this.savepointDirectory = directory; return this; }

        public Builder progress(Consumer<String> progress) { this.progress = progress; return this; }

        public Rebuild build() {
            return new Rebuild(this);
        }
    }
}
