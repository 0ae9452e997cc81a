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
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.cluster.testjob.SequenceJob;
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.testing.ClusterJobs;
import io.eventflow.devstack.testing.Heartbeats;

/**
 * Process faults on a real multi-process cluster: the deployment's configuration (flink-conf/config.yaml plus the
 * local overlay), ZooKeeper high availability, a job submitted as a jar over REST and running in the user-code class
 * loader. Each scenario kills, hangs or replaces processes under load and ends with the exactly-once check of the
 * job's committed output (every range of its sequence a gap-free prefix, each value and each per-key count once).
 * The detection and recovery times go to {@code target/process-faults.md}; the detection times are checked against
 * what the heartbeat settings promise. One cluster serves every scenario (a start costs ~10 s); each scenario
 * begins from two live TaskManagers and no job.
 */
@Tag("process")
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
        // to measure other values than the deployment's: -Dprocess.faults.settings='heartbeat.timeout=20000;...'
        for (String setting : System.getProperty("process.faults.settings", "").split(";")) {
            if (setting.contains("=")) {
                builder.setting(setting.substring(0, setting.indexOf('=')).strip(),
                    setting.substring(setting.indexOf('=') + 1).strip());
            }
        }
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
    void withoutSpareSlotsTheJobWaitsUntilANewTaskManagerRegisters() {
        String job = startJob(2 * SLOTS_PER_TASK_MANAGER, null);
        awaitCheckpoints(job, 2);
        FlinkProcess victim = cluster.taskManagers().get(0);

        Instant killed = victim.kill();
        Duration detection = detection(job, killed);
        Instant waitUntil = Instant.now().plus(heartbeats.interval());
        while (Instant.now().isBefore(waitUntil)) {
            assertThat(jobs.allTasksRunning(job)).as("the job cannot run all its tasks on the remaining slots").isFalse();
            sleep(250);
        }
        Instant added = Instant.now();
        cluster.addTaskManager();
        Duration recovery = recovery(job, added);

        finish(job, 2 * SLOTS_PER_TASK_MANAGER, "2. TaskManager killed, no spare slots",
            "SIGKILL to " + victim.name() + "; the job waits, a new TaskManager is started "
                + FaultReport.seconds(Duration.between(killed, added)) + " later (recovery counted from then)",
            detection, recovery);
    }

    @Test
    @Order(3)
    void aHungTaskManagerIsDeclaredLostWhenItsHeartbeatTimesOut() {
        String job = startJob(2, null);
        awaitCheckpoints(job, 2);
        FlinkProcess victim = jobs.aTaskManagerRunning(job, cluster);

        Instant hung = victim.hang();
        Duration detection = detection(job, hung);
        Duration recovery = recovery(job, hung);
        victim.resume();

        assertThat(detection).as("a hung TaskManager is detected by the heartbeat timeout (%s, interval %s)",
                heartbeats.timeout(), heartbeats.interval())
            .isGreaterThanOrEqualTo(heartbeats.hangDetectionEarliest())
            .isLessThanOrEqualTo(heartbeats.hangDetectionLatest());
        finish(job, 2, "3. TaskManager hung (SIGSTOP)", "SIGSTOP to " + victim.name() + ", SIGCONT after recovery",
            detection, recovery);
    }

    @Test
    @Order(4)
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
        finish(job, 2, "4. JobManager killed (SIGKILL) and restarted, ZooKeeper HA",
            "SIGKILL to the JobManager, " + successor.name() + " started at once (REST answering after "
                + FaultReport.seconds(restAgain) + "); restored checkpoint " + jobs.restoredCheckpointId(job)
                + " (latest before the kill: " + checkpointBefore + ")",
            null, recovery);
    }

    @Test
    @Order(5)
    void stopWithSavepointAtParallelism2RestoresAt4OnThreeTaskManagersAndBackTo1() {
        String first = startJob(2, null);
        awaitCheckpoints(first, 2);
        String savepoint = jobs.stopWithSavepoint(first, cluster.savepointDirectory(), TIMEOUT);

        cluster.addTaskManager();
        String second = startJob(4, savepoint);
        assertThat(jobs.taskManagersOf(second)).as("p=4 on three TaskManagers of 2 slots").hasSizeGreaterThanOrEqualTo(2);
        awaitCheckpoints(second, 2);
        savepoint = jobs.stopWithSavepoint(second, cluster.savepointDirectory(), TIMEOUT);

        String third = startJob(1, savepoint);
        Instant restarted = Instant.now();
        awaitCheckpoints(third, 2);
        finish(third, 2, "5. Rescale through savepoints", "stop-with-savepoint at p=2 on 2 TaskManagers, "
            + "restore at p=4 on 3, stop-with-savepoint, restore at p=1", null, Duration.between(restarted, Instant.now()));
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
