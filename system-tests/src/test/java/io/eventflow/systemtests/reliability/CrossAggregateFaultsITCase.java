package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.projections.OrdersPerCustomerProjection;
import io.eventflow.examples.orders.projections.UnitsSoldPerSkuProjection;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;

/**
 * Cross-aggregate read models under failure, restore and rescale: a document never goes back, never counts an event
 * twice, and ends equal to the replay oracle; Kafka holds every event once, in order.
 */
class CrossAggregateFaultsITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ProjectionRegistry ORACLE = Registries.ORDERS;
    private static final List<String> CROSS_AGGREGATE = List.of(OrdersPerCustomerProjection.COLLECTION,
        UnitsSoldPerSkuProjection.COLLECTION);
    @Test
    void aTaskManagerLostAfterACheckpointCompletedButBeforeItsDocumentsWereWrittenLosesNothing(
        @InjectMiniCluster MiniCluster cluster) throws Exception {
        try (JobStack stack = stack("commit-failure"); MonotonyWatch watch = new MonotonyWatch(stack)) {
            JobClient job = stack.start(stack.config(Map.of()), ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("commit", 300, 10, 31);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic));
            Await.until("a third of the events", WAIT, () -> stack.events().countDocuments() >= 1000, () -> "");

            // only the committer's writes fail: checkpoints complete, their documents cannot be written...
            long hitsBefore = MONGO.server().failPointHits();
            MONGO.server().failCommand(FailCommand.on("update").appName("eventflow-cross-aggregate-committer")
                .alwaysOn().errorCode(2).build());
            Await.until("commits of completed checkpoints to fail", WAIT,
                () -> CapturedMetrics.sum(job.getJobID(), "commitRetries") >= 2, () -> "");
            // ...and the TaskManager holding them goes away: the restored job must write them from its checkpoint
            cluster.terminateTaskManager(0).get();
            MONGO.server().clearFailCommand();
            cluster.startTaskManager();
            long faults = MONGO.server().failPointHits() - hitsBefore;
            Await.until("the job to restart on a new TaskManager", WAIT,
                () -> CapturedMetrics.sum(job.getJobID(), "numRestarts") >= 1 && JobStack.status(job) == JobStatus.RUNNING,
                () -> String.valueOf(JobStack.status(job)));
            long lastFault = System.nanoTime();
            writers.get();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - lastFault);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            watch.close();
            assertThat(watch.backwards()).as("cross-aggregate documents seen going back").isEmpty();
            assertThat(watch.reads()).as("reads of cross-aggregate documents while faults hit").isPositive();
            Await.until("the job to run again", WAIT, () -> JobStack.status(job) == JobStatus.RUNNING,
                () -> String.valueOf(JobStack.status(job)));
            ReliabilityReport.record("10. cross-aggregate commit failure", tally.events(), faults + " failed writes of "
                + "completed checkpoints' documents, then the TaskManager lost (restarts: " + CapturedMetrics.sum(
                job.getJobID(), "numRestarts") + "; no document went back in " + watch.reads() + " reads)", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(job);
        }
    }

    @Test
    void aSavepointAtParallelismTwoRestoresAtThreeWithEveryDocumentIntact() throws Exception {
        try (JobStack stack = stack("rescale"); MonotonyWatch watch = new MonotonyWatch(stack)) {
            JobConfig two = stack.config(Map.of("job.parallelism", "2"));
            JobClient first = stack.start(two, ORACLE);
            List<OrderTraffic.Stream> traffic = OrderTraffic.plan("rescale", 300, 10, 32);
            CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> append(stack, traffic));

            Await.until("a third of the events", WAIT, () -> stack.events().countDocuments() >= 1000, () -> "");
            String savepoint = first.stopWithSavepoint(false, stack.checkpointDirectory().resolve("savepoints").toUri()
                .toString(), SavepointFormatType.CANONICAL).get();
            long restored = System.nanoTime();
            JobClient second = stack.startFrom(savepoint, two.with(Map.of("job.parallelism", "3")), ORACLE);
            writers.get();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, ORACLE, WAIT);
            Duration recovery = Duration.ofNanos(System.nanoTime() - restored);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, 3000, WAIT);
            watch.close();
            assertThat(watch.backwards()).as("cross-aggregate documents seen going back").isEmpty();
            ReliabilityReport.record("11. rescale 2 → 3", tally.events(), "stop-with-savepoint at parallelism 2, restore "
                + "at 3, under load (no document went back in " + watch.reads() + " reads)", tally.lost(),
                tally.duplicated(), recovery);
            JobStack.cancel(second);
        }
    }

    private static void append(JobStack stack, List<OrderTraffic.Stream> traffic) {
        try {
            OrderTraffic.append(stack.store, traffic, 3, 2);
        } catch (Exception e) {
            throw new IllegalStateException("appending failed", e);
        }
    }

    /**
     * A reader polling every cross-aggregate document: what it records is every time a document's eventCount went
     * down between two reads. There must be none.
     */
    private static final class MonotonyWatch implements AutoCloseable {
        private final Map<String, Long> seen = new ConcurrentHashMap<>();
        private final List<String> backwards = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicLong reads = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        MonotonyWatch(JobStack stack) {
            thread = new Thread(() -> {
                while (running.get()) {
                    for (String collection : CROSS_AGGREGATE) {
                        for (BsonDocument document : stack.readModels(collection).find()) {
                            String id = collection + "/" + document.getString("_id").getValue();
                            long count = document.getInt64("eventCount").getValue();
                            Long before = seen.put(id, count);
                            if (before != null && count < before) {
                                backwards.add(id + ": " + before + " -> " + count);
                            }
                            reads.incrementAndGet();
                        }
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "monotony-watch");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> backwards() {
            return backwards;
        }

        long reads() {
            return reads.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }
}
