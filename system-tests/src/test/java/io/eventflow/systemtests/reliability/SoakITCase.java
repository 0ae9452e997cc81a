package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.eventflow.examples.orders.Order;
import io.eventflow.examples.orders.OrderCommand;
import io.eventflow.examples.orders.OrderEvent;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.examples.orders.Orders;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.summary.BuiltInProjections;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.ReliabilityReport;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;

/**
 * The soak run, on request only: {@code mvn -B verify -pl system-tests -am -Dit.test=SoakITCase -Dsoak.minutes=30}. Order load
 * at 100 events/s through the aggregate repository for the given minutes, with a projection fault every 2 minutes
 * and a 20 s Kafka outage every 5; then the same checks as the fault suite.
 */
class SoakITCase extends EmbeddedStackTest {



    @Test
    void everyEventExactlyOnceAfterMinutesOfLoadAndFaults(@InjectMiniCluster MiniCluster cluster) throws Exception {
        String minutesProperty = System.getProperty("soak.minutes");
        Assumptions.assumeTrue(minutesProperty != null, "the soak run runs only on request: -Dsoak.minutes=N");
        int minutes = Integer.parseInt(minutesProperty);
        try (JobStack stack = stack("soak")) {
            ProjectionRegistry chaos = ProjectionCatalog.of(new ChaosProjections(), new BuiltInProjections())
                .select(List.of());
            JobClient job = stack.start(stack.config(Map.of("checkpoint.timeout", "10s")), chaos);
            EventStore store = EventStore.builder().mongoClient(stack.client).database(stack.eventDatabase)
                .upcasters(Orders.UPCASTERS).build();
            AggregateRepository<Order, OrderCommand, OrderEvent> orders = AggregateRepository
                .builder(store, Orders.DEFINITION).build();
            OrderLoadGenerator load = OrderLoadGenerator.builder(orders).ratePerSecond(100).threads(4).build().start();
            int outages = 0;
            int taskManager = 0;
            long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
            for (int minute = 1; System.nanoTime() < end; minute++) {
                Thread.sleep(Duration.ofMinutes(1).toMillis());
                if (minute % 2 == 0) {
                    // the only TaskManager goes away: the job restores on a new one
                    cluster.terminateTaskManager(taskManager++).get();
                    cluster.startTaskManager();
                }
                if (minute % 5 == 0) {
                    KAFKA.broker().stop();
                    Thread.sleep(20_000);
                    KAFKA.broker().start();
                    outages++;
                }
            }
            load.close();
            long stopped = System.nanoTime();

            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, chaos, Duration.ofMinutes(5));
            Duration recovery = Duration.ofNanos(System.nanoTime() - stopped);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, stack.events().countDocuments(),
                Duration.ofMinutes(5));
            assertThat(load.commandsFailed()).isZero();
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            ReliabilityReport.record("soak, " + minutes + " min", tally.events(), taskManager + " TaskManagers lost, "
                + CapturedMetrics.sum(job.getJobID(), "eventsFailed") + " projection exceptions dead-lettered, " + outages
                + " Kafka outages of 20 s (restarts: "
                + CapturedMetrics.sum(job.getJobID(), "numRestarts") + ")", tally.lost(), tally.duplicated(), recovery);
            JobStack.cancel(job);
            orders.close();
        }
    }
}
