package io.eventflow.devstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.cluster.testjob.SequenceJob;
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.testing.ClusterJobs;
import io.eventflow.devstack.testing.Heartbeats;

/**
 * The launcher's process faults: a real multi-process cluster with the deployment's configuration (flink-conf/config.yaml
 * plus the local overlay) and ZooKeeper high availability, a small test job packaged into a jar, submitted over REST
 * and running in the user-code class loader. A TaskManager is killed (the job restores on the other's spare slots,
 * detected within what the heartbeat settings promise) and the JobManager is killed and replaced (it takes the job
 * over from ZooKeeper): enough to prove that {@link FlinkStandaloneCluster}'s processes, signals, high availability
 * and measurements work. Each ends with the exactly-once check of the job's committed output (every range of its
 * sequence a gap-free prefix, each value and each per-key count once); the figures go to
 * {@code target/process-faults.md}. The product's own process faults, on the real job with every scenario (no spare
 * slots, a hung TaskManager, rescaling), are system-tests' {@code ClusterFaultSuiteITCase}, which runs in every build
 * and so exercises the same launcher; this one runs on request, to check the launcher alone or measure other heartbeat
 * settings:
 *
 * <pre>
 * mvn -B verify -pl devstack -Dit.test=ProcessFaultsITCase -Dlauncher.faults=true
 * </pre>
 */
@Tag("process")
@EnabledIfSystemProperty(named = "launcher.faults", matches = "true",
    disabledReason = "on request only (-Dlauncher.faults=true): ClusterFaultSuiteITCase covers these faults on the product")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessFaultsITCase {

    private static final int SLOTS_PER_TASK_MANAGER = 2;
    private static final double RATE = 200;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final FaultReport REPORT = new FaultReport(
        "Process faults on a standalone cluster (ProcessFaultsITCase), ZooKeeper HA, 2 slots per TaskManager, "
            + (int) RATE + " values/s");

    @RegisterExtension
    static final FlinkStandaloneClusterExtension CLUSTER = new FlinkStandaloneClusterExtension(builder -> {
        builder.taskManagers(2)
            .slotsPerTaskManager(SLOTS_PER_TASK_MANAGER)
            .highAvailability()
            .workDirectory(Path.of("target", "process-faults-cluster").toAbsolutePath());
        Heartbeats.applyRequestedSettings(builder);
    });

    private static FlinkStandaloneCluster cluster;
    private static ClusterJobs jobs;
    private static String jarId;
    private static Heartbeats heartbeats;

    private Path output;

    @BeforeAll
    static void submitTheJar() {
        cluster = CLUSTER.cluster();
        jobs = new ClusterJobs(cluster.restUrl());
        jarId = jobs.uploadJar(TestJobJar.build());
        heartbeats = Heartbeats.of(cluster);
    }

    @AfterAll
    static void writeTheReport() {
        REPORT.write(Path.of("target", "process-faults.md"));
    }

    /** Two live, registered TaskManagers, a JobManager, no job: what every scenario starts from. */
    @BeforeEach
    void baseline() throws IOException {
        jobs.resetCluster(cluster, 2, TIMEOUT);
        output = Files.createTempDirectory(cluster.workDirectory(), "output-");
    }

    @Test
    @Order(1)
    void aKilledTaskManagerIsDetectedAndTheJobRestoresOnTheSpareSlotsOfTheOther() {
        String job = startJob(2, null);
        awaitCheckpoints(job, 2);
        FlinkProcess victim = jobs.aTaskManagerRunning(job, cluster);

        Instant killed = victim.kill();
        Duration detection = detection(job, killed);
        Duration deregistration = untilDeregistered(victim, killed);
        Duration recovery = recovery(job, killed);

        assertThat(detection).as("a killed TaskManager is detected within %d heartbeat intervals (%s)",
            heartbeats.rpcFailureThreshold(), heartbeats.interval()).isLessThanOrEqualTo(heartbeats.killDetectionBudget());
        finish(job, 2, "1. TaskManager killed (SIGKILL), spare slots",
            "SIGKILL to " + victim.name() + " (deregistered after " + FaultReport.seconds(deregistration) + ")",
            detection, recovery);
    }

    @Test
    @Order(2)
    void aKilledJobManagerIsReplacedAndTheJobResumesFromItsLatestCheckpointByItself() {
        String job = startJob(2, null);
        awaitCheckpoints(job, 3);
        long checkpointBefore = jobs.latestCheckpointId(job);

        Instant killed = Instant.now();
        cluster.killJobManager();
        FlinkProcess successor = cluster.startJobManager();
        Duration restAgain = Duration.between(killed, Instant.now());
        Duration recovery = recovery(job, killed);

        assertThat(jobs.restoredCheckpointId(job)).as("the checkpoint %s restored from", successor.name())
            .isGreaterThanOrEqualTo(checkpointBefore);
        finish(job, 2, "2. JobManager killed (SIGKILL) and restarted, ZooKeeper HA",
            "SIGKILL to the JobManager, " + successor.name() + " started at once (REST answering after "
                + FaultReport.seconds(restAgain) + "); restored checkpoint " + jobs.restoredCheckpointId(job)
                + " (latest before the kill: " + checkpointBefore + ")",
            null, recovery);
    }

    // ---------------------------------------------------------------------------------------------------------

    private String startJob(int parallelism, String savepoint) {
        String job = jobs.run(jarId, SequenceJob.class.getName(), List.of("--output", output.toString(),
            "--rate", String.valueOf(RATE), "--checkpoint-interval", "500"), parallelism, savepoint);
        jobs.awaitAllTasksRunning(job, TIMEOUT);
        return job;
    }

    private void awaitCheckpoints(String job, int more) {
        jobs.awaitCheckpoints(job, more, TIMEOUT);
    }

    private Duration detection(String job, Instant fault) {
        return Duration.between(fault, jobs.awaitFailureAfter(job, fault, TIMEOUT).at());
    }

    private Duration untilDeregistered(FlinkProcess taskManager, Instant fault) {
        Await.until(taskManager.name() + " to leave the cluster", TIMEOUT,
            () -> !cluster.registeredTaskManagers().contains(taskManager.name()),
            () -> cluster.registeredTaskManagers().toString());
        return Duration.between(fault, Instant.now());
    }

    private Duration recovery(String job, Instant from) {
        return jobs.awaitRecovery(job, from, TIMEOUT);
    }

    /** Lets the job run on, stops it with a savepoint, checks its output exactly once and reports. */
    private void finish(String job, int firstParallelism, String scenario, String faults, Duration detection,
                        Duration recovery) {
        awaitCheckpoints(job, 2);
        jobs.stopWithSavepoint(job, cluster.savepointDirectory(), TIMEOUT);
        SequenceOutput result = SequenceOutput.read(output, firstParallelism);
        REPORT.add(new FaultReport.Row(scenario, faults, result, detection, recovery));
        assertThat(result.values()).as("values committed").isPositive();
        assertThat(result.exactlyOnce()).as("exactly once: %s", result).isTrue();
    }
}
