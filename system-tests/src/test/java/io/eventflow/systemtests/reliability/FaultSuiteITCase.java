package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.testing.Await;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.summary.BuiltInProjections;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;

/**
 * Faults injected into a running job on the embedded stack with the real CDC source, Kafka and MongoDB. Every
 * scenario ends with the same three checks: the read models equal a replay oracle computed from the event store;
 * Kafka, read with read_committed, holds every event exactly once in order; and the job's metrics account for the
 * faults. Figures go to target/reliability.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** More than the sinks' 4 writers can absorb with 5 retries each, so the job fails at least once. */
    private static final int SINK_FAULTS = 30;
    private static final ProjectionRegistry ORACLE = Registries.ORDERS;

    @Test
    @org.junit.jupiter.api.Order(1)
    void lostTaskManagersAndFailingSinksRestartFromCheckpointsWithNothingLostOrDuplicated(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (JobStack stack = stack("failures")) {
            JobClient job = stack.start(stack.config(Map.of()), ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("failures", 400, 15, 11);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic));
            int restarts = 0;
            int taskManager = 0;
            for (int written : new int[] {800, 1600, 2400}) {
                Await.until(written + " events written", WAIT, () -> stack.events().countDocuments() >= written, () -> "");
                JobStack.awaitAllTasksRunning(cluster, job);
                // the only TaskManager goes away, with its slots and state: the job waits for a new one and restores
                cluster.terminateTaskManager(taskManager++).get();
                cluster.startTaskManager();
                int restartsBefore = restarts;
                Await.until("the job to restart on a new TaskManager", WAIT,
                    () -> CapturedMetrics.sum(job.getJobID(), "numRestarts") > restartsBefore
                        && JobStack.status(job) == JobStatus.RUNNING, () -> String.valueOf(JobStack.status(job)));
                restarts = (int) CapturedMetrics.sum(job.getJobID(), "numRestarts");
            }
            // read-model bulk writes failing more often than the sink retries them (5 times) fail the job once more
            Await.until("half the events to be written", WAIT, () -> stack.events().countDocuments() >= 3000, () -> "");
            long hitsBefore = MONGO.server().failPointHits();
            MONGO.server().failCommand(FailCommand.on("update").times(SINK_FAULTS).errorCode(2).build());
            writers.get();
            Await.until("the read-model write faults to be hit", WAIT,
                () -> MONGO.server().failPointHits() >= hitsBefore + SINK_FAULTS, () -> "");
            long lastFault = System.nanoTime();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - lastFault);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 6000, WAIT);

            long sinkFaults = MONGO.server().failPointHits() - hitsBefore;
            assertThat(sinkFaults).as("read-model writes failed").isEqualTo(SINK_FAULTS);
            // three lost TaskManagers and at least one sink failure: each restarted the job
            assertThat(CapturedMetrics.sum(job.getJobID(), "numRestarts")).isGreaterThanOrEqualTo(4);
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            ReliabilityReport.record("1. job failures", tally.events(), "3 TaskManagers lost, " + SINK_FAULTS + " failed "
                + "read-model writes (restarts: " + CapturedMetrics.sum(job.getJobID(), "numRestarts") + ")", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void whateverProjectionCodeThrowsIsDeadLetteredAndTheJobNeverRestarts() throws Exception {
        try (JobStack stack = stack("user-code")) {
            ProjectionRegistry chaos = ProjectionCatalog.of(new ChaosProjections(), new BuiltInProjections())
                .select(List.of());
            JobClient job = stack.start(stack.config(Map.of()), chaos);
            append(stack, OrderTraffic.plan("user-code", 300, 10, 21));
            long done = System.nanoTime();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, chaos, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - done);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            long failed = CapturedMetrics.sum(job.getJobID(), "eventsFailed");
            List<CommittedKafkaReader.Message> deadLetters = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".dlq")), read -> read.size() >= failed, WAIT);
            assertThat(failed).as("events the projections failed on").isGreaterThan(50);
            assertThat(deadLetters).hasSize((int) failed);
            assertThat(deadLetters).allSatisfy(letter -> assertThat(letter.value()).contains("chaos"));
            assertThat(CapturedMetrics.sum(job.getJobID(), "numRestarts")).as("restarts").isZero();
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            ReliabilityReport.record("1b. projection code throws", tally.events(), failed + " exceptions in apply (before "
                + "and after changing the state) and in documentKeys: dead-lettered (restarts: 0)", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void stopWithSavepointAndCancelWithARetainedCheckpointRestoreUnderLoad() throws Exception {
        try (JobStack stack = stack("restore")) {
            var config = stack.config(Map.of());
            JobClient first = stack.start(config, ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("restore", 300, 10, 14);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic, 2, 1));

            Await.until("800 events", WAIT, () -> stack.events().countDocuments() >= 800, () -> "");
            String savepoint = first.stopWithSavepoint(false, stack.checkpointDirectory().resolve("savepoints").toUri()
                .toString(), SavepointFormatType.CANONICAL).get();
            JobClient second = stack.startFrom(savepoint, config, ORACLE);

            Await.until("1,800 events and two checkpoints of the restored job", WAIT,
                () -> stack.events().countDocuments() >= 1800
                    && CapturedMetrics.sum(second.getJobID(), "numberOfCompletedCheckpoints") >= 2, () -> "");
            JobStack.cancel(second);
            String checkpoint = latestRetainedCheckpoint(stack.checkpointDirectory().resolve(second.getJobID().toString()));
            long restarted = System.nanoTime();
            JobClient third = stack.startFrom(checkpoint, config, ORACLE);
            writers.get();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            // the running total lives in state: across the savepoint and the checkpoint it counts each event once
            Await.until("eventsOrderedTotal to equal the store", WAIT,
                () -> CapturedMetrics.sum(third.getJobID(), "eventsOrderedTotal") == tally.events(),
                () -> String.valueOf(CapturedMetrics.sum(third.getJobID(), "eventsOrderedTotal")));
            ReliabilityReport.record("2. savepoint and checkpoint", tally.events(), "stop-with-savepoint and restore, then "
                + "cancel and restore from the retained checkpoint, under load", tally.lost(), tally.duplicated(), recovery);
            JobStack.cancel(third);
        }
    }

    private static String latestRetainedCheckpoint(Path jobDirectory) throws Exception {
        try (var checkpoints = Files.list(jobDirectory)) {
            return checkpoints.filter(path -> path.getFileName().toString().startsWith("chk-"))
                .filter(path -> Files.exists(path.resolve("_metadata")))
                .max(java.util.Comparator.comparingLong(path -> Long.parseLong(path.getFileName().toString().substring(4))))
                .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDirectory)).toUri().toString();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void aThirtySecondKafkaOutageIsRiddenOutWithExactlyOnceIntact() throws Exception {
        try (JobStack stack = stack("kafka-outage")) {
            // checkpoints cannot complete while Kafka is away: they time out, the job fails and restarts until it is back
            JobClient job = stack.start(stack.config(Map.of("checkpoint.timeout", "5s")), ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("outage", 300, 10, 12);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic, 2, 1));
            Await.until("a third of the events to be written", WAIT, () -> stack.events().countDocuments() >= 1000, () -> "");

            KAFKA.broker().stop();
            Thread.sleep(30_000);
            KAFKA.broker().start();
            long back = System.nanoTime();
            writers.get();

            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - back);
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            long failedCheckpoints = CapturedMetrics.sum(job.getJobID(), "numberOfFailedCheckpoints");
            long restarts = CapturedMetrics.sum(job.getJobID(), "numRestarts");
            assertThat(failedCheckpoints + restarts).as("failed checkpoints and restarts during the outage").isPositive();
            Await.until("the job to run again", WAIT, () -> JobStack.status(job) == JobStatus.RUNNING,
                () -> String.valueOf(JobStack.status(job)));
            ReliabilityReport.record("3. Kafka outage", tally.events(), "broker stopped 30 s (" + failedCheckpoints
                + " failed checkpoints, " + restarts + " restarts)", tally.lost(), tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(4)
    void transientMongoErrorsOnTheChangeStreamAndReadModelWritesAreRetried() throws Exception {
        try (JobStack stack = stack("mongo-errors")) {
            JobClient job = stack.start(stack.config(Map.of()), ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("mongo", 300, 10, 13);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic, 2, 1));
            long hitsBefore = MONGO.server().failPointHits();

            Await.until("a quarter of the events", WAIT, () -> stack.events().countDocuments() >= 750, () -> "");
            MONGO.server().failCommand(FailCommand.on("getMore").times(3).errorCode(91)
                .errorLabels("ResumableChangeStreamError").build());
            Await.until("the change stream faults to be hit", WAIT, () -> MONGO.server().failPointHits() >= hitsBefore + 3, () -> "");
            Await.until("half of the events", WAIT, () -> stack.events().countDocuments() >= 1500, () -> "");
            MONGO.server().failCommand(FailCommand.on("update").times(3).errorCode(91)
                .errorLabels("RetryableWriteError").build());
            Await.until("the read-model write faults to be hit", WAIT,
                () -> MONGO.server().failPointHits() >= hitsBefore + 6, () -> "");
            long lastFault = System.nanoTime();
            writers.get();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - lastFault);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            assertThat(MONGO.server().failPointHits() - hitsBefore).as("faults that hit").isEqualTo(6);
            assertThat(CapturedMetrics.sum(job.getJobID(), "duplicatesDropped")).as("events delivered twice after a resume")
                .isGreaterThanOrEqualTo(0);
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            ReliabilityReport.record("4. MongoDB errors", tally.events(), "3 change-stream getMore errors, 3 read-model "
                + "write errors (restarts: " + CapturedMetrics.sum(job.getJobID(), "numRestarts") + ")", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(8)
    void aGapThatCannotBeFilledIsVisibleWithinTheGapTimeoutAndHealsWhenTheEventArrives() throws Exception {
        try (JobStack stack = stack("stall")) {
            JobClient job = stack.start(stack.config(Map.of()), ORACLE);
            stack.awaitStreaming();
            var raw = stack.events();
            raw.insertOne(RawEvents.order("stall-1", 1, "OrderCreated"));
            raw.insertOne(RawEvents.order("stall-1", 3, "OrderConfirmed")); // 2 is missing from the store
            long opened = System.nanoTime();

            Await.until("the open gap to show in the metrics", Duration.ofSeconds(20),
                () -> CapturedMetrics.sum(job.getJobID(), "openGaps") >= 1 && CapturedMetrics.sum(job.getJobID(), "gapAlerts") >= 1,
                () -> "openGaps " + CapturedMetrics.sum(job.getJobID(), "openGaps"));
            Duration visibleAfter = Duration.ofNanos(System.nanoTime() - opened);
            var alerts = io.eventflow.devstack.kafka.CommittedKafkaReader.readAll(stack.bootstrapServers,
                java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(stack.topicPrefix) + "\\.alerts"),
                read -> !read.isEmpty(), WAIT);
            assertThat(alerts).isNotEmpty().allMatch(alert -> alert.key().equals("stall-1#2..2/waiting"));
            assertThat(alerts.get(0).value()).contains("\"aggregateId\":\"stall-1\"");
            // the read model waits at 1: never a state that skips an event
            assertThat(stack.readModels("orders").find(new org.bson.Document("_id", "stall-1")).first()
                .getInt64("lastSequenceNo").getValue()).isEqualTo(1);

            raw.insertOne(RawEvents.order("stall-1", 2, "OrderNoteAdded"));
            long filled = System.nanoTime();
            Await.until("the gap to close", WAIT, () -> CapturedMetrics.sum(job.getJobID(), "openGaps") == 0, () -> "open");
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - filled);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 4, WAIT); // with the probe
            assertThat(visibleAfter).isLessThan(Duration.ofSeconds(12)); // gap timeout 2 s, metrics reported within ~10 s
            ReliabilityReport.record("8. stall visible", tally.events(), "an event missing from its stream (gap alert after "
                + visibleAfter.toMillis() / 1000.0 + " s)", tally.lost(), tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    @org.junit.jupiter.api.Order(9)
    void credentialsAppearInNoLogLineExceptionOrMetric() throws Exception {
        Path log = Path.of("target", "test.log");
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        String mongoPassword = "mongo-secret-" + UUID.randomUUID();
        String kafkaPassword = "kafka-secret-" + UUID.randomUUID();
        try (JobStack stack = stack("secrets")) {
            // the emulator has no users and the broker speaks PLAINTEXT: both logins fail, loudly, again and again
            JobClient job = stack.startWithoutWaiting(stack.config(Map.of("mongodb.username", "svc",
                "mongodb.password", mongoPassword,
                "kafka.properties.security.protocol", "SASL_PLAINTEXT",
                "kafka.properties.sasl.mechanism", "SCRAM-SHA-256",
                "kafka.properties.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"svc\" password=\"" + kafkaPassword + "\";")), ORACLE);
            Await.until("the job to fail on its credentials", WAIT,
                () -> CapturedMetrics.sum(job.getJobID(), "numRestarts") >= 2, () -> String.valueOf(JobStack.status(job)));
            JobStack.cancel(job);

            String logged = Files.readString(log).substring((int) logStart);
            assertThat(logged).containsIgnoringCase("authenticat"); // the failures were logged
            assertThat(logged).doesNotContain(mongoPassword).doesNotContain(kafkaPassword);
            assertThat(CapturedMetrics.render(job.getJobID())).isNotEmpty()
                .doesNotContain(mongoPassword).doesNotContain(kafkaPassword);
            ReliabilityReport.record("9. secrets", 0, "MongoDB and Kafka logins failing with a password ("
                + CapturedMetrics.sum(job.getJobID(), "numRestarts") + " restarts): in no log line, exception or metric",
                0, 0, null);
        }
    }

    private static void append(JobStack stack, List<OrderTraffic.Stream> traffic) {
        append(stack, traffic, 4, 3);
    }

    private static void append(JobStack stack, List<OrderTraffic.Stream> traffic, int threads, int eventsPerAppend) {
        try {
            OrderTraffic.append(stack.store, traffic, threads, eventsPerAppend);
        } catch (Exception e) {
            throw new IllegalStateException("appending failed", e);
        }
    }
}
