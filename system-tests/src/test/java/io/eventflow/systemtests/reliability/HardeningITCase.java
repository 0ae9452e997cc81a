package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.kafka.CommittedKafkaReader.Message;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.testing.Await;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.ordering.MongoGapFiller;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * The fault scenarios of issue #13 (hardening), on the embedded stack with the real CDC source, Kafka and the
 * MongoDB emulator. Where the input is the only fault, each ends with the job RUNNING and never restarted; every one
 * ends with the read models equal to the replay oracle and Kafka holding every event once, in order.
 */
class HardeningITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final ProjectionRegistry ORACLE = Registries.ORDERS;
    private static final int MAX_RECORD_BYTES = 1_000_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Item 9: dead letters and alerts are at-least-once records keyed by what they describe: visible as soon as they
     * are raised, long before a checkpoint; repeated with the same keys after a restart without a checkpoint; while
     * the events stay exactly-once.
     */
    @Test
    void deadLettersAndAlertsAreVisibleAtOnceAndRepeatWithTheSameKeysAfterARestart(@InjectMiniCluster MiniCluster cluster)
        throws Exception {
        try (JobStack stack = stack("side-records")) {
            JobClient job = stack.start(stack.config(Map.of("checkpoint.interval", "5min", "checkpoint.timeout", "1min",
                "ordering.gap-timeout", "1s")), ORACLE);
            // with 5 min checkpoints nothing is committed yet: the job's own counter tells when it streams
            Await.until("the source to stream", WAIT, () -> {
                stack.store.append("Probe", "probe-" + UUID.randomUUID(), ExpectedVersion.noStream(),
                    NewEvent.of("ProbeSent", Map.of()));
                return CapturedMetrics.sum(job.getJobID(), JobMetrics.EVENTS_EMITTED) > 0;
            }, () -> "no event emitted yet");
            BsonDocument headless = RawEvents.order("side-headless", 1, "OrderNoteAdded");
            headless.remove("aggregateId");
            raw(stack).insertOne(headless);
            raw(stack).insertOne(RawEvents.order("side-1", 1, "OrderCreated"));
            raw(stack).insertOne(RawEvents.order("side-1", 3, "OrderConfirmed"));
            long raised = System.nanoTime();

            List<Message> deadLetters = read(stack, "dlq", 1);
            List<Message> alerts = read(stack, "alerts", 1);
            Duration visibleAfter = Duration.ofNanos(System.nanoTime() - raised);
            assertThat(visibleAfter).as("before the first checkpoint, 5 min away").isLessThan(Duration.ofSeconds(60));
            assertThat(CapturedMetrics.sum(job.getJobID(), "numberOfCompletedCheckpoints")).isZero();

            // the only TaskManager goes away before any checkpoint: the job starts over and raises both again
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            Await.until("the job to run again", WAIT, () -> CapturedMetrics.sum(job.getJobID(), "numRestarts") >= 1
                && JobStack.status(job) == JobStatus.RUNNING, () -> String.valueOf(JobStack.status(job)));
            List<Message> repeatedLetters = read(stack, "dlq", 2);
            List<Message> repeatedAlerts = read(stack, "alerts", 2);
            assertThat(repeatedLetters).extracting(Message::key).containsOnly(deadLetters.get(0).key());
            assertThat(repeatedAlerts).extracting(Message::key).containsOnly(alerts.get(0).key());
            assertThat(deadLetters.get(0).key()).isEqualTo("source/event:" + headless.getString("_id").getValue());
            assertThat(alerts.get(0).key()).isEqualTo("side-1#2..2/waiting");

            raw(stack).insertOne(RawEvents.order("side-1", 2, "OrderNoteAdded"));
            Await.until("side-1's gap to close", WAIT,
                () -> CapturedMetrics.sumOfLatestAttempts(job.getJobID(), JobMetrics.OPEN_GAPS) == 0
                    && CapturedMetrics.sumOfLatestAttempts(job.getJobID(), JobMetrics.EVENTS_EMITTED) >= 3, () -> "");
            MongoCollection<BsonDocument> valid = copyWhere(stack, "events_valid", Filters.exists("aggregateId"));
            String savepoint = savepoint(stack, job); // the final checkpoint commits the events' transactions
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, valid, valid.countDocuments(), WAIT);
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, valid, WAIT);
            assertThat(savepoint).isNotBlank();
            ReliabilityReport.record("16. side records at-least-once", tally.events(), "a dead letter and a gap alert "
                + "visible after " + visibleAfter.toMillis() / 1000.0 + " s with 5 min checkpoints; the TaskManager lost "
                + "before any checkpoint (restarts: " + CapturedMetrics.sum(job.getJobID(), "numRestarts") + "): both "
                + "repeated with the same keys; events exactly once",
                tally.lost(), tally.duplicated(), null);
        }
    }

    /** A scenario that failed half-way leaves its job running: cancel it, so that the next one gets the slots. */
    @AfterEach
    void cancelLeftoverJobs(@InjectClusterClient ClusterClient<?> client) throws Exception {
        for (JobStatusMessage job : client.listJobs().get()) {
            if (!job.getJobState().isGloballyTerminalState()) {
                client.cancel(job.getJobId()).get();
            }
        }
    }

    // --- helpers ---

    /** The event collection, written around the writer. */
    private static MongoCollection<BsonDocument> raw(JobStack stack) {
        return stack.events();
    }

    /** A copy of the store as it is now: what the read models and Kafka must reflect when bad input follows. */
    private static MongoCollection<BsonDocument> copy(JobStack stack, String name) {
        return copyWhere(stack, name, new Document());
    }

    private static MongoCollection<BsonDocument> copyWhere(JobStack stack, String name, org.bson.conversions.Bson filter) {
        MongoCollection<BsonDocument> copy = stack.client.getDatabase(stack.eventDatabase).getCollection(name,
            BsonDocument.class);
        copy.insertMany(stack.events().find(filter).into(new ArrayList<>()));
        return copy;
    }

    private static List<Message> read(JobStack stack, String topic, int atLeast) {
        return CommittedKafkaReader.readAll(stack.bootstrapServers, Pattern.compile(Pattern.quote(stack.topicPrefix + "."
            + topic)), read -> read.size() >= atLeast, WAIT);
    }

    private static long bytes(Message record) {
        return (record.key() == null ? 0 : record.key().getBytes(StandardCharsets.UTF_8).length)
            + record.value().getBytes(StandardCharsets.UTF_8).length;
    }

    private static String reason(List<Message> deadLetters, String key) throws Exception {
        for (Message letter : deadLetters) {
            if (key.equals(letter.key())) {
                return JSON.readTree(letter.value()).path("reason").asText();
            }
        }
        throw new AssertionError("no dead letter " + key);
    }

    private static List<Message> concat(List<Message> first, List<Message> second) {
        List<Message> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static long accountedFor(JobID job) {
        return JobMetrics.ACCOUNTED_FOR.stream().mapToLong(name -> CapturedMetrics.sum(job, name)).sum();
    }

    private static void assertRunningWithoutRestarts(JobClient job) {
        assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
        assertThat(CapturedMetrics.sum(job.getJobID(), "numRestarts")).as("restarts").isZero();
    }

    private static void assertGaugesPerSubtaskNeverNegative(JobID job) {
        for (String gauge : List.of(JobMetrics.OPEN_GAPS, JobMetrics.BUFFERED_EVENTS, JobMetrics.OVERDUE_GAPS)) {
            assertThat(CapturedMetrics.values(job, gauge)).as("%s per subtask", gauge).allMatch(value -> value >= 0);
        }
    }

    private static String savepoint(JobStack stack, JobClient job) throws Exception {
        return job.stopWithSavepoint(false, stack.checkpointDirectory().resolve("savepoints").toUri().toString(),
            SavepointFormatType.CANONICAL).get();
    }

    /** An aggregate id that subtask 1 or 2 owns at parallelism 3: closing its gap there tells per-subtask gauges apart. */
    private static String ownedAt3ByAnotherThanSubtask0(String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, 128, 3) != 0) {
                return id;
            }
        }
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(key, value);
        return all;
    }
}
