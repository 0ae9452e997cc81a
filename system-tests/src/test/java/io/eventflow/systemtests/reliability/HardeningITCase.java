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
     * Item 3, 7 and the late event of item 9: input that made records larger than the producer accepts (a 2 MB update
     * of a stored event, an event of 400,000 three-byte characters, a 1.5 MB malformed document), documents without a
     * position, and an event that arrives after SKIP passed it. Every record stays within the budget, nothing
     * restarts the job, and every document of the store is accounted for.
     */
    @Test
    void badInputMakesNoRecordTooLargeAndEveryStoredDocumentIsAccountedFor() throws Exception {
        try (JobStack stack = stack("bad-input")) {
            JobClient job = stack.start(stack.config(Map.of("ordering.gap-policy", "SKIP", "ordering.gap-timeout", "1s")),
                ORACLE);
            stack.awaitStreaming();
            List<OrderTraffic.Stream> good = OrderTraffic.plan("bad-input", 40, 5, 51);
            OrderTraffic.append(stack.store, good, 2, 1);
            MongoCollection<BsonDocument> raw = raw(stack);
            raw.insertOne(RawEvents.order("skip-1", 1, "OrderCreated"));
            raw.insertOne(RawEvents.order("skip-1", 3, "OrderConfirmed")); // 2 is not in the store, yet
            MongoCollection<BsonDocument> pristine = copy(stack, "events_good");

            String tampered = good.get(0).aggregateId();
            raw.updateOne(Filters.and(Filters.eq("aggregateId", tampered), Filters.eq("sequenceNo", 1L)),
                Updates.set("payload.note", "x".repeat(2_000_000)));
            BsonDocument wide = RawEvents.order("wide-1", 1, "OrderNoteAdded");
            wide.put("payload", new BsonDocument("note", new BsonString("\u4e2d".repeat(400_000))));
            raw.insertOne(wide);
            BsonDocument headless = RawEvents.order("headless", 1, "OrderNoteAdded");
            headless.remove("aggregateId");
            headless.put("payload", new BsonDocument("note", new BsonString("y".repeat(1_500_000))));
            raw.insertOne(headless);
            BsonDocument unnumbered = RawEvents.order("unnumbered-1", 1, "OrderNoteAdded");
            unnumbered.put("sequenceNo", new BsonString("seven"));
            raw.insertOne(unnumbered);

            Await.until("SKIP to pass skip-1's missing event", WAIT,
                () -> CapturedMetrics.sum(job.getJobID(), JobMetrics.GAPS_SKIPPED) >= 1, () -> "");
            raw.insertOne(RawEvents.order("skip-1", 2, "OrderNoteAdded")); // too late: dead-lettered

            List<Message> deadLetters = read(stack, "dlq", 4);
            List<Message> integrity = read(stack, "integrity", 1);
            assertThat(deadLetters).extracting(Message::key).containsExactlyInAnyOrder("source/wide-1#1",
                "source/event:" + headless.getString("_id").getValue(),
                "source/event:" + unnumbered.getString("_id").getValue(), "ordering/skip-1#2");
            for (Message record : concat(deadLetters, integrity)) {
                assertThat(bytes(record)).as("%s record %s", record.topic(), record.key())
                    .isLessThanOrEqualTo(MAX_RECORD_BYTES);
            }
            JsonNode violation = JSON.readTree(integrity.get(0).value());
            assertThat(violation.path("updateDescriptionTruncated").asBoolean()).isTrue();
            assertThat(reason(deadLetters, "source/wide-1#1")).contains("bytes as a Kafka record, more than "
                + "kafka.max-record-bytes (1000000)");

            // lag: every document of the store is accounted for, though three will never be put in order
            long stored = stack.events().countDocuments();
            Await.until("the job to account for the " + stored + " documents of the store", WAIT,
                () -> accountedFor(job.getJobID()) == stored, () -> String.valueOf(accountedFor(job.getJobID())));
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.DOCUMENTS_WITHOUT_POSITION_TOTAL)).isEqualTo(2);
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.EVENTS_ARRIVED_AFTER_SKIP_TOTAL)).isEqualTo(1);

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, pristine, WAIT);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, pristine, pristine.countDocuments(),
                WAIT);
            assertRunningWithoutRestarts(job);
            long largest = concat(deadLetters, integrity).stream().mapToLong(HardeningITCase::bytes).max().orElse(0);
            ReliabilityReport.record("17. oversized input", tally.events(), "a 2 MB update of a stored event, an event of "
                + "400,000 3-byte characters, a 1.5 MB malformed document: largest record " + largest + " bytes "
                + "(budget " + MAX_RECORD_BYTES + ") (restarts: 0)", tally.lost(), tally.duplicated(), null);
            ReliabilityReport.record("18. lag of bad input", stored, "2 documents without a position, 1 event after "
                + "its position was skipped: all " + stored + " documents accounted for (restarts: 0)", tally.lost(),
                tally.duplicated(), null);
            JobStack.cancel(job);
        }
    }

    /**
     * Items 4 and 5: a hot aggregate behind a permanent gap under WAIT, first with a store that hangs on every read of
     * the gap filler, then with a healthy store that does not have the missing event. The buffer holds at most its
     * bound, the rest is left in the store; the store is read from the timer with backoff, each read gives up after
     * its timeout, and no checkpoint fails. When the missing event arrives, everything follows in order.
     */
    @Test
    void aHotAggregateBehindAPermanentGapAndAHangingStoreStallNothing(@InjectMiniCluster MiniCluster cluster)
        throws Exception {
        try (JobStack stack = stack("hot")) {
            JobClient job = stack.start(stack.config(Map.of("ordering.max-buffered-per-key", "20",
                "ordering.gap-timeout", "1s", "ordering.gap-fill.timeout", "1s", "ordering.gap-fill.max-backoff", "2s",
                "ordering.gap-fill.page-size", "50", "checkpoint.timeout", "10s")), ORACLE);
            stack.awaitStreaming();
            // a checkpoint triggered while a task still deployed is counted as failed: count from here on
            JobStack.awaitAllTasksRunning(cluster, job);
            long failedCheckpointsBefore = CapturedMetrics.sum(job.getJobID(), "numberOfFailedCheckpoints");
            MONGO.server().failCommand(FailCommand.on("find").appName(MongoGapFiller.APPLICATION_NAME)
                .blockFor(Duration.ofSeconds(30)).alwaysOn().build());
            long checkpointsBefore = CapturedMetrics.sum(job.getJobID(), "numberOfCompletedCheckpoints");
            long hangStarted = System.nanoTime();
            try {
                MongoCollection<BsonDocument> raw = raw(stack);
                raw.insertOne(RawEvents.order("hot-1", 1, "OrderCreated"));
                List<BsonDocument> hot = new ArrayList<>();
                for (long sequenceNo = 3; sequenceNo <= 200; sequenceNo++) {
                    hot.add(RawEvents.order("hot-1", sequenceNo, "OrderNoteAdded"));
                }
                raw.insertMany(hot);
                OrderTraffic.append(stack.store, OrderTraffic.plan("hot-traffic", 20, 5, 52), 2, 1);
                Await.until("two gap-filler reads to time out", WAIT,
                    () -> CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_FAILURES) >= 2, () -> "");
            } finally {
                MONGO.server().clearFailCommand();
            }
            Duration hung = Duration.ofNanos(System.nanoTime() - hangStarted);
            long slowestRead = CapturedMetrics.histogramMax(job.getJobID(), JobMetrics.GAP_FILL_READ_LATENCY_MS);
            long failedReads = CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_FAILURES);
            assertThat(slowestRead).as("the longest a read held up its subtask, ms").isLessThan(3_000);
            assertThat(CapturedMetrics.sum(job.getJobID(), "numberOfCompletedCheckpoints")).as("checkpoints while the "
                + "store hung").isGreaterThan(checkpointsBefore);

            // the store answers again, but has no event 2: WAIT keeps the gap, reading rarely
            long readsBefore = CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_READS);
            Await.until("two fruitless reads of a healthy store", WAIT,
                () -> CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_READS) >= readsBefore + 2, () -> "");
            long reads = CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_READS);
            assertThat(reads).as("store reads for 198 events behind the gap").isLessThanOrEqualTo(12);
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.BUFFERED_EVENTS)).isEqualTo(20);
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.EVENTS_DEFERRED_TO_STORE)).isEqualTo(178);
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.OVERDUE_GAPS)).isEqualTo(1);
            List<Message> alerts = read(stack, "alerts", 2);
            assertThat(alerts).extracting(Message::key).contains("hot-1#2..2/buffer-full", "hot-1#2..2/waiting");

            raw(stack).insertOne(RawEvents.order("hot-1", 2, "OrderNoteAdded"));
            long healed = System.nanoTime();
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - healed);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, stack.events().countDocuments(),
                WAIT);
            Await.until("the gap to close", WAIT, () -> CapturedMetrics.sum(job.getJobID(), JobMetrics.OPEN_GAPS) == 0
                && CapturedMetrics.sum(job.getJobID(), JobMetrics.OVERDUE_GAPS) == 0, () -> "");
            assertThat(CapturedMetrics.sum(job.getJobID(), "numberOfFailedCheckpoints"))
                .as("failed checkpoints since every task ran: %s", JobStack.failedCheckpoints(cluster, job))
                .isEqualTo(failedCheckpointsBefore);
            assertRunningWithoutRestarts(job);
            long totalReads = CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_READS);
            ReliabilityReport.record("19. hot aggregate, permanent gap (WAIT)", tally.events(), "198 events behind a "
                + "missing one, buffer bound 20: 20 buffered, 178 left in the store; " + reads + " store reads until the "
                + "event came (one per event before), " + (totalReads - reads) + " paged reads to catch up (restarts: 0)",
                tally.lost(), tally.duplicated(), recovery);
            ReliabilityReport.record("20. store hangs for gap fills", tally.events(), "every gap-filler read blocked 30 s "
                + "for " + hung.toSeconds() + " s: " + failedReads + " reads gave up, the slowest after " + slowestRead
                + " ms, retried with backoff; 0 failed checkpoints (restarts: 0)", tally.lost(), tally.duplicated(), null);
            JobStack.cancel(job);
        }
    }

    /**
     * Item 6: a job started at LATEST on a store with history publishes exactly the events committed after its start,
     * old aggregates' included, and never reads their history.
     */
    @Test
    void startedAtLatestTheJobPublishesOnlyNewEventsAndNeverReadsTheirHistory() throws Exception {
        try (JobStack stack = stack("latest")) {
            List<OrderTraffic.Stream> history = OrderTraffic.plan("latest-old", 30, 4, 53);
            OrderTraffic.append(stack.store, history, 2, 2);
            JobClient job = stack.start(stack.config(Map.of("source.startup.mode", "LATEST", "outputs", "kafka")), ORACLE);
            // appended until one is published: then the source streams, and everything after counts
            Await.until("the source to stream", WAIT, () -> {
                stack.store.append("Probe", "probe-" + UUID.randomUUID(), ExpectedVersion.noStream(),
                    NewEvent.of("ProbeSent", Map.of()));
                return !CommittedKafkaReader.readAll(stack.bootstrapServers, Pattern.compile(Pattern.quote(
                    stack.topicPrefix + ".Probe")), read -> !read.isEmpty(), Duration.ofSeconds(2)).isEmpty();
            }, () -> "no probe published yet");
            long started = System.nanoTime();
            List<OrderTraffic.Stream> older = history.subList(0, 10);
            for (OrderTraffic.Stream stream : older) {
                String type = stream.aggregateType().equals("Order") ? "OrderNoteAdded" : "CustomerAddressChanged";
                stack.store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(4),
                    List.of(NewEvent.of(type, Map.of("note", "5")), NewEvent.of(type, Map.of("note", "6"))));
            }
            List<OrderTraffic.Stream> fresh = OrderTraffic.plan("latest-new", 10, 3, 54);
            OrderTraffic.append(stack.store, fresh, 2, 1);

            List<Message> published = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix) + "\\.(Order|Customer)"), read -> read.size() >= 50, WAIT);
            Duration settled = Duration.ofNanos(System.nanoTime() - started);
            Map<String, List<String>> sequences = new HashMap<>();
            published.forEach(message -> sequences.computeIfAbsent(message.key(), id -> new ArrayList<>())
                .add(message.header("sequenceNo")));
            for (OrderTraffic.Stream stream : older) {
                assertThat(sequences.get(stream.aggregateId())).as(stream.aggregateId()).containsExactly("5", "6");
            }
            for (OrderTraffic.Stream stream : fresh) {
                assertThat(sequences.get(stream.aggregateId())).as(stream.aggregateId()).containsExactly("1", "2", "3");
            }
            assertThat(sequences.keySet()).hasSize(20);
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_FILL_READS)).as("store reads").isZero();
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.GAP_ALERTS)).isZero();
            assertThat(CapturedMetrics.sum(job.getJobID(), JobMetrics.STARTS_AT_FIRST_NEW_EVENT)).isPositive();
            assertRunningWithoutRestarts(job);
            ReliabilityReport.record("21. LATEST start", published.size(), "120 events of history; 20 new events of 10 "
                + "old aggregates and 30 of 10 new ones: exactly those 50 published, 0 store reads (restarts: 0)", 0, 0,
                settled);
            JobStack.cancel(job);
        }
    }

    /**
     * Item 9 and the snapshot half of item 4: savepoints taken at parallelism 2 and 3 restore at 3 and 1, with open
     * gaps, buffers and running totals intact on the subtasks that own them; the first job read a hot aggregate's
     * shuffled history from the snapshot within its buffer bound.
     */
    @Test
    void savepointsRestoreAtParallelism3Then1WithEveryAggregatesStateIntact() throws Exception {
        try (JobStack stack = stack("rescale")) {
            OrderTraffic.append(stack.store, OrderTraffic.plan("rescale-a", 60, 5, 55), 2, 1);
            List<BsonDocument> hot = new ArrayList<>();
            for (long sequenceNo = 1; sequenceNo <= 200; sequenceNo++) {
                hot.add(RawEvents.order("hot-snapshot", sequenceNo, sequenceNo == 1 ? "OrderCreated" : "OrderNoteAdded"));
            }
            Collections.shuffle(hot, new Random(8)); // random _ids: the snapshot reads them in any order
            stack.events().insertMany(hot);
            Map<String, String> settings = Map.of("ordering.max-buffered-per-key", "10", "ordering.gap-fill.page-size", "50");
            String closesAt3 = ownedAt3ByAnotherThanSubtask0("gap-a");
            JobConfig at2 = stack.config(with(settings, "job.parallelism", "2"));

            JobClient first = stack.start(at2, ORACLE);
            stack.awaitStreaming();
            long deferredInSnapshot = CapturedMetrics.sum(first.getJobID(), JobMetrics.EVENTS_DEFERRED_TO_STORE);
            assertThat(deferredInSnapshot).as("snapshot events past the bound, left in the store").isPositive();
            for (String gap : List.of(closesAt3, "gap-b")) {
                raw(stack).insertOne(RawEvents.order(gap, 1, "OrderCreated"));
                raw(stack).insertOne(RawEvents.order(gap, 3, "OrderConfirmed"));
            }
            Await.until("two open gaps", WAIT, () -> CapturedMetrics.sum(first.getJobID(), JobMetrics.OPEN_GAPS) == 2,
                () -> "");
            JobClient second = stack.startFrom(savepoint(stack, first), stack.config(with(settings, "job.parallelism", "3")),
                ORACLE);
            OrderTraffic.append(stack.store, OrderTraffic.plan("rescale-b", 30, 4, 56), 2, 1);
            Await.until("both gaps restored at parallelism 3", WAIT,
                () -> CapturedMetrics.sum(second.getJobID(), JobMetrics.OPEN_GAPS) == 2, () -> "");
            raw(stack).insertOne(RawEvents.order(closesAt3, 2, "OrderNoteAdded"));
            Await.until(closesAt3 + "'s gap to close on its subtask", WAIT,
                () -> CapturedMetrics.sum(second.getJobID(), JobMetrics.OPEN_GAPS) == 1, () -> "");
            assertGaugesPerSubtaskNeverNegative(second.getJobID());

            JobClient third = stack.startFrom(savepoint(stack, second), stack.config(with(settings, "job.parallelism", "1")),
                ORACLE);
            Await.until("gap-b's gap restored at parallelism 1", WAIT,
                () -> CapturedMetrics.sum(third.getJobID(), JobMetrics.OPEN_GAPS) == 1, () -> "");
            raw(stack).insertOne(RawEvents.order("gap-b", 2, "OrderNoteAdded"));
            long healed = System.nanoTime();
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - healed);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, stack.events().countDocuments(),
                WAIT);
            Await.until("eventsOrderedTotal to equal the store, each event counted once across both restores", WAIT,
                () -> CapturedMetrics.sum(third.getJobID(), JobMetrics.EVENTS_ORDERED_TOTAL) == tally.events(),
                () -> String.valueOf(CapturedMetrics.sum(third.getJobID(), JobMetrics.EVENTS_ORDERED_TOTAL)));
            Await.until("no open gap", WAIT, () -> CapturedMetrics.sum(third.getJobID(), JobMetrics.OPEN_GAPS) == 0, () -> "");
            assertGaugesPerSubtaskNeverNegative(third.getJobID());
            for (JobClient job : List.of(first, second)) {
                assertThat(CapturedMetrics.sum(job.getJobID(), "numRestarts")).isZero();
            }
            assertRunningWithoutRestarts(third);
            ReliabilityReport.record("22. rescale 2 -> 3 -> 1", tally.events(), "two savepoints under load with 2 open "
                + "gaps (one closed at 3, one at 1) and a hot aggregate's shuffled snapshot read within a buffer bound "
                + "of 10 (" + deferredInSnapshot + " events left in the store) (restarts: 0)", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(third);
        }
    }

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
            ReliabilityReport.record("23. side records at-least-once", tally.events(), "a dead letter and a gap alert "
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
