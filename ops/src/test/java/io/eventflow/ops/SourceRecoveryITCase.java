package io.eventflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.junit.EmbeddedFlinkExtension;
import io.eventflow.devstack.junit.EmbeddedKafkaExtension;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.ops.lifecycle.JobLifecycle;
import io.eventflow.ops.testing.ProjectionJobFixture;

/**
 * The resume token of a stopped job leaves the emulator's bounded oplog; restoring the job as it was fails, and
 * {@code recover-source} brings it back with a fresh source while keeping the ordering and projection state.
 */
class SourceRecoveryITCase {

    private static final Logger log = LoggerFactory.getLogger(SourceRecoveryITCase.class);
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final int OPLOG_CAPACITY = 600;

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension(server -> server.oplogCapacity(OPLOG_CAPACITY));
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    static final EmbeddedFlinkExtension FLINK = new EmbeddedFlinkExtension();

    @Test
    void aJobWhoseResumeTokenExpiredIsRecoveredWithAFreshSourceAndNothingLostOrAppliedTwice() {
        try (ProjectionJobFixture stack = new ProjectionJobFixture("recovery", MONGO.connectionString(),
                KAFKA.bootstrapServers(), FLINK.cluster().restUrl())) {
            JobLifecycle lifecycle = new JobLifecycle(stack.flink, log::info, PATIENCE);
            String job = stack.startJob();
            OrderLoadGenerator load = stack.load(40, 3).start();
            Await.until("100 events appended", PATIENCE, () -> load.eventsAppended() >= 100, () -> "");
            Await.until("50 events in order",
                PATIENCE, () -> stack.flink.metricTotal(job, "eventsOrderedTotal") >= 50, () -> "");
            // a lower bound of what the job applied before it stops: the metric reaches the REST API late
            long appliedBeforeStop = (long) stack.flink.metricTotal(job, "eventsOrderedTotal");
            String savepoint = lifecycle.stopWithSavepoint(job, null);

            // while no job runs, the oplog turns over: the savepoint's resume token is gone
            long appendedAtStop = load.eventsAppended();
            Await.until(OPLOG_CAPACITY + " events appended while the job is stopped",
                PATIENCE, () -> load.eventsAppended() >= appendedAtStop + OPLOG_CAPACITY, () -> "");

            String restored = stack.flink.submit(stack.submission().restoredFrom(savepoint, false));
            Await.until("the restored job to fail on its expired resume token (error 286)",
                PATIENCE, () -> stack.flink.rootException(restored).contains("286"), () -> "");

            String recovered = lifecycle.recoverSource(restored, stack.submission(), "mongodb-cdc-source-recovered", null);
            long appendedAtRecovery = load.eventsAppended();
            Await.until("100 more events after the recovery",
                PATIENCE, () -> load.eventsAppended() >= appendedAtRecovery + 100, () -> "");
            load.close();

            stack.awaitReadModelsMatchStore(PATIENCE);
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
            // the fresh source read the whole store again; ordering dropped what was applied before the stop
            Await.until("the recovered job to drop the " + appliedBeforeStop + " events applied before the stop",
                PATIENCE, () -> stack.flink.metricTotal(recovered, "duplicatesDropped") >= appliedBeforeStop, () -> "");
            assertThat(List.of(stack.flink.job(restored).state())).containsAnyOf("CANCELED", "FAILED");
        }
    }
}
