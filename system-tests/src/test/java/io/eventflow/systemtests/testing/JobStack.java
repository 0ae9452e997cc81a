package io.eventflow.systemtests.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.bson.BsonDocument;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.eventflow.devstack.testing.Await;
import io.eventflow.job.ProjectionJob;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.writer.EventStore;

/**
 * One test's slice of the embedded stack: its own event store database, read-model database, topic prefix and
 * transactional ids, a client, an event writer, and the means to start the projection job on the MiniCluster.
 */
public final class JobStack implements AutoCloseable {

    public final String name;
    public final String mongoUri;
    public final String bootstrapServers;
    public final String eventDatabase;
    public final String readModelDatabase;
    public final String topicPrefix;
    public final MongoClient client;
    public final EventStore store;
    private final java.util.List<JobClient> startedJobs = new java.util.concurrent.CopyOnWriteArrayList<>();

    public JobStack(String mongoUri, String bootstrapServers, String testName) {
        this.name = testName + "-" + UUID.randomUUID().toString().substring(0, 6);
        this.mongoUri = mongoUri;
        this.bootstrapServers = bootstrapServers;
        this.eventDatabase = "es_" + name.replace('-', '_');
        this.readModelDatabase = "rm_" + name.replace('-', '_');
        this.topicPrefix = "t-" + name;
        this.client = MongoClients.create(mongoUri);
        this.store = EventStore.builder().mongoClient(client).database(eventDatabase).build();
    }

    /** The job's configuration for this slice, fast timings for tests, with overrides. */
    public JobConfig config(Map<String, String> overrides) {
        return JobConfig.of(settings(overrides));
    }

    /**
     * The same configuration as the job's command-line arguments ({@code --key value}), for the job jar submitted to
     * a cluster.
     */
    public List<String> arguments(Map<String, String> overrides) {
        List<String> arguments = new ArrayList<>();
        settings(overrides).forEach((key, value) -> arguments.addAll(List.of("--" + key, value)));
        return arguments;
    }

    private Map<String, String> settings(Map<String, String> overrides) {
        Map<String, String> values = new TreeMap<>();
        values.put("mongodb.uri", mongoUri);
        values.put("mongodb.database", eventDatabase);
        values.put("readmodel.database", readModelDatabase);
        values.put("kafka.bootstrap-servers", bootstrapServers);
        values.put("kafka.topic-prefix", topicPrefix);
        values.put("kafka.transactional-id-prefix", name);
        values.put("checkpoint.interval", "1s");
        values.put("checkpoint.min-pause", "200ms");
        values.put("ordering.gap-timeout", "2s");
        values.put("ordering.snapshot-gap-timeout", "10s");
        values.put("readmodel.batch-interval", "100ms");
        values.put("source.heartbeat.interval", "1s");
        values.put("job.parallelism", "2");
        values.putAll(overrides);
        return values;
    }

    /** Starts the job on the MiniCluster of the running test class and waits until it runs. */
    public JobClient start(JobConfig config, ProjectionRegistry registry) throws Exception {
        JobClient client = startWithoutWaiting(config, registry);
        Await.until("the job to run", Duration.ofSeconds(60),
            () -> status(client) == JobStatus.RUNNING, () -> String.valueOf(status(client)));
        return client;
    }

    /** Submits the job to the MiniCluster of the running test class. */
    public JobClient startWithoutWaiting(JobConfig config, ProjectionRegistry registry) throws Exception {
        return submit(config, registry, null);
    }

    /** Starts the job from a savepoint or retained checkpoint and waits until it runs. */
    public JobClient startFrom(String restorePath, JobConfig config, ProjectionRegistry registry) throws Exception {
        JobClient client = submit(config, registry, restorePath);
        Await.until("the restored job to run", Duration.ofSeconds(60),
            () -> status(client) == JobStatus.RUNNING, () -> String.valueOf(status(client)));
        return client;
    }

    /** Where this slice's jobs keep their checkpoints (retained on cancellation, as the job configures them). */
    public java.nio.file.Path checkpointDirectory() {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "eventflow-checkpoints", name);
    }

    private JobClient submit(JobConfig config, ProjectionRegistry registry, String restorePath) throws Exception {
        org.apache.flink.configuration.Configuration settings = new org.apache.flink.configuration.Configuration();
        if (restorePath != null) {
            settings.set(org.apache.flink.runtime.jobgraph.SavepointConfigOptions.SAVEPOINT_PATH, restorePath);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(settings);
        ProjectionJob job = new ProjectionJob(config, registry);
        job.configure(env);
        env.getCheckpointConfig().setCheckpointStorage(checkpointDirectory().toUri().toString());
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(20, Time.seconds(1)));
        job.build(env);
        JobClient started = env.executeAsync(name);
        startedJobs.add(started);
        return started;
    }

    /**
     * Waits until the job streams: a probe event appended now shows up in the stream-summary read model. Changes made
     * after this are seen by the change stream, not by the snapshot.
     */
    public void awaitStreaming() {
        String probe = "probe-" + UUID.randomUUID();
        store.append("Probe", probe, io.eventflow.writer.ExpectedVersion.noStream(),
            io.eventflow.writer.NewEvent.of("ProbeSent", java.util.Map.of()));
        Await.until("the probe event " + probe + " to be projected", Duration.ofMinutes(2),
            () -> readModels("stream_summaries").countDocuments(new org.bson.Document("_id", probe)) == 1, () -> "not yet");
    }

    /**
     * The failed checkpoints the job's history still holds, with Flink's reason for each: what a test shows when it
     * finds one it did not expect. Triggers refused before a checkpoint began are counted by Flink but not kept here.
     */
    public static List<String> failedCheckpoints(org.apache.flink.runtime.minicluster.MiniCluster cluster, JobClient client)
        throws Exception {
        var history = cluster.getExecutionGraph(client.getJobID()).get().getCheckpointStatsSnapshot().getHistory();
        return history.getCheckpoints().stream()
            .filter(stats -> stats instanceof org.apache.flink.runtime.checkpoint.FailedCheckpointStats)
            .map(stats -> "checkpoint " + stats.getCheckpointId() + ": "
                + ((org.apache.flink.runtime.checkpoint.FailedCheckpointStats) stats).getFailureMessage())
            .toList();
    }

    /**
     * Waits until every task of the job runs: a job whose status is RUNNING may still be waiting for slots, and a
     * TaskManager lost then fails no task and restarts nothing.
     */
    public static void awaitAllTasksRunning(org.apache.flink.runtime.minicluster.MiniCluster cluster, JobClient client) {
        Await.until("every task of job " + client.getJobID() + " to run", Duration.ofMinutes(2), () -> {
            try {
                var graph = cluster.getExecutionGraph(client.getJobID()).get();
                return graph.getState() == JobStatus.RUNNING && java.util.stream.StreamSupport
                    .stream(graph.getAllExecutionVertices().spliterator(), false)
                    .allMatch(vertex -> vertex.getExecutionState() == org.apache.flink.runtime.execution.ExecutionState.RUNNING);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            }
        }, () -> String.valueOf(status(client)));
    }

    /** Cancels the job and waits until it is cancelled; returns how long that took. */
    public static Duration cancel(JobClient client) throws Exception {
        long start = System.nanoTime();
        client.cancel().get();
        Await.until("the job to be cancelled", Duration.ofSeconds(90),
            () -> status(client) == null || status(client).isGloballyTerminalState(), () -> String.valueOf(status(client)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        org.slf4j.LoggerFactory.getLogger(JobStack.class).info("job {} cancelled in {} ms", client.getJobID(), took.toMillis());
        return took;
    }

    public static JobStatus status(JobClient client) {
        try {
            return client.getJobStatus().get();
        } catch (Exception e) {
            return null;
        }
    }

    public MongoCollection<BsonDocument> events() {
        return client.getDatabase(eventDatabase).getCollection("events", BsonDocument.class);
    }

    public MongoCollection<BsonDocument> readModels(String collection) {
        return client.getDatabase(readModelDatabase).getCollection(collection, BsonDocument.class);
    }

    @Override
    public void close() {
        // a test that failed half-way leaves its job running: it would take slots and cores from the next test
        for (JobClient job : startedJobs) {
            JobStatus status = status(job);
            if (status != null && !status.isGloballyTerminalState()) {
                try {
                    job.cancel().get(1, java.util.concurrent.TimeUnit.MINUTES);
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(JobStack.class).warn("could not cancel job {}", job.getJobID(), e);
                }
            }
        }
        client.close();
    }
}
