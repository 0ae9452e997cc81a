package io.eventflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.junit.EmbeddedFlinkExtension;
import io.eventflow.devstack.junit.EmbeddedKafkaExtension;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.ops.cli.Ops;
import io.eventflow.ops.lifecycle.JobLifecycle;
import io.eventflow.ops.status.Health;
import io.eventflow.ops.status.JobStatus;
import io.eventflow.ops.testing.ProjectionJobFixture;

/**
 * A job that restarts in a loop: {@code bin/status} says so and exits 1, and {@code bin/upgrade} deploys the fix to it
 * from its latest retained checkpoint (a savepoint needs running tasks), with nothing lost or duplicated.
 */
class UnhealthyJobITCase {

    private static final Logger log = LoggerFactory.getLogger(UnhealthyJobITCase.class);
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    static final EmbeddedFlinkExtension FLINK = new EmbeddedFlinkExtension();

    @Test
    void aRestartLoopingJobIsReportedUnhealthyAndUpgradedFromItsLatestCheckpoint() {
        try (ProjectionJobFixture stack = new ProjectionJobFixture("unhealthy", MONGO.connectionString(),
                KAFKA.bootstrapServers(), FLINK.cluster().restUrl())) {
            // the job as deployed fails on a gap the store cannot fill, and again after every restart
            String job = stack.startJob("--ordering.gap-policy", "FAIL", "--ordering.gap-timeout", "1s");
            OrderLoadGenerator load = stack.load(30, 5).start();
            Await.until("60 events appended and a checkpoint", PATIENCE, () -> load.eventsAppended() >= 60
                && stack.flink.checkpoints(job).path("counts").path("completed").asLong() >= 1, () -> "");
            stack.events().insertOne(event("broken-1", 1, "OrderCreated"));
            stack.events().insertOne(event("broken-1", 3, "OrderConfirmed")); // 2 never existed
            JobStatus status = new JobStatus(stack.flink, stack.events());
            Await.until("the job to fail and restart", PATIENCE, () -> stack.flink.jobMetric(job, "numRestarts") >= 2,
                () -> stack.flink.job(job).state());

            Health health = status.health(job);
            assertThat(health.healthy()).isFalse();
            assertThat(health.canTakeSavepoint()).isFalse();
            assertThat(String.join("; ", health.problems())).containsAnyOf("the job is RESTARTING", "has completed no "
                + "checkpoint since", "tasks are not running");
            assertThat(runOps("status", "--job", job)).as("bin/status exit code").isEqualTo(1);

            // the fix: the same jar with the gap policy that passes the gap
            long restartsBefore = (long) stack.flink.jobMetric(job, "numRestarts");
            long upgradeStarted = System.nanoTime();
            String fixed = new JobLifecycle(stack.flink, log::info, PATIENCE).upgrade(job,
                stack.submission("--ordering.gap-policy", "SKIP", "--ordering.gap-timeout", "1s"), null);
            Duration upgradeTook = Duration.ofNanos(System.nanoTime() - upgradeStarted);
            long appendedAtUpgrade = load.eventsAppended();
            Await.until("60 more events after the upgrade", PATIENCE,
                () -> load.eventsAppended() >= appendedAtUpgrade + 60, () -> "");
            load.close();

            assertThat(stack.flink.job(job).state()).isEqualTo("CANCELED");
            stack.awaitReadModelsMatchStore(PATIENCE);
            stack.assertKafkaHoldsEveryEventExactlyOnceInOrder(PATIENCE);
            Await.until("the upgraded job to be healthy", PATIENCE, () -> status.health(fixed).healthy(),
                () -> status.health(fixed).problems().toString());
            assertThat(runOps("status", "--job", fixed)).as("bin/status exit code").isZero();
            assertThat(stack.flink.jobMetric(fixed, "numRestarts")).isZero();
            log.info("RELIABILITY | 24. unhealthy job | {} | a gap under FAIL: the job restarted {} times in a loop; bin/status "
                + "exit 1, bin/upgrade from the latest checkpoint in {} ms (restarts after: 0) | 0 | 0 |",
                stack.events().countDocuments(), restartsBefore, upgradeTook.toMillis());
        }
    }

    private static int runOps(String... arguments) {
        List<String> all = new java.util.ArrayList<>(List.of(arguments));
        all.addAll(List.of("--flink", FLINK.cluster().restUrl(), "--mongodb-uri", MONGO.connectionString(),
            "--events", "unhealthy_store.events"));
        return Ops.run(all.toArray(String[]::new), Map.of());
    }

    /** A valid Order event written around the writer. */
    private static Document event(String aggregateId, long sequenceNo, String eventType) {
        Document payload = eventType.equals("OrderCreated") ? new Document("customerId", "c1").append("currency", "EUR")
            .append("items", List.of(new Document("sku", "a").append("quantity", 1).append("unitPrice", 2.5)))
            : new Document();
        return new Document("_id", UUID.randomUUID().toString()).append("aggregateId", aggregateId)
            .append("aggregateType", "Order").append("sequenceNo", sequenceNo).append("eventType", eventType)
            .append("schemaVersion", eventType.equals("OrderCreated") ? 2 : 1).append("occurredAt", new Date())
            .append("payload", payload).append("metadata", new Document()).append("commitId", UUID.randomUUID().toString());
    }
}
