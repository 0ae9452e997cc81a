package io.eventflow.devstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.cluster.ClusterJobs.Failure;
import io.eventflow.devstack.cluster.testjob.SequenceJob;
import io.eventflow.devstack.testing.Await;

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
    private static Duration heartbeatInterval;
    private static Duration heartbeatTimeout;
    private static int rpcFailureThreshold;

    private Path output;

    @BeforeAll
    static void submitTheJar() {
        cluster = CLUSTER.cluster();
        jobs = new ClusterJobs(cluster.restUrl());
        jarId = jobs.uploadJar(TestJobJar.build());
        heartbeatInterval = duration("heartbeat.interval", "10 s");
        heartbeatTimeout = duration("heartbeat.timeout", "50 s");
        rpcFailureThreshold = Integer.parseInt(cluster.effectiveConfiguration().getOrDefault("heartbeat.rpc-failure-threshold", "2"));
    }

    @AfterAll
    static void writeTheReport() {
        REPORT.write(Path.of("target", "process-faults.md"));
    }

    /** Two live, registered TaskManagers, a JobManager, no job: what every scenario starts from. */
    @BeforeEach
    void baseline() throws IOException {
        if (!cluster.jobManager().isAlive()) {
            cluster.startJobManager();
        }
        jobs.activeJobs().forEach(jobs::cancel);
        Await.until("no active jobs", TIMEOUT, () -> jobs.activeJobs().isEmpty(), () -> jobs.activeJobs().toString());
        for (FlinkProcess taskManager : cluster.taskManagers()) {
            if (!taskManager.isAlive() || taskManager.isHung()) {
                cluster.removeTaskManager(taskManager);
            }
        }
        while (cluster.taskManagers().size() > 2) {
            cluster.removeTaskManager(cluster.taskManagers().get(0));
        }
        while (cluster.taskManagers().size() < 2) {
            cluster.addTaskManager();
        }
        cluster.awaitTaskManagers(2, TIMEOUT);
        cluster.awaitFreeSlots(2 * SLOTS_PER_TASK_MANAGER, TIMEOUT);
        output = Files.createTempDirectory(cluster.workDirectory(), "output-");
    }

    @Test
    @Order(1)
    void aKilledTaskManagerIsDetectedAndTheJobRestoresOnTheSpareSlotsOfTheOther() {
        String job = startJob(2, null);
        awaitCheckpoints(job, 2);
        FlinkProcess victim = aTaskManagerRunning(job);

        Instant killed = victim.kill();
        Duration detection = detection(job, killed);
        Duration deregistration = untilDeregistered(victim, killed);
        Duration recovery = recovery(job, killed);

        assertThat(detection).as("a killed TaskManager is detected within %d heartbeat intervals (%s)",
            rpcFailureThreshold, heartbeatInterval).isLessThanOrEqualTo(killDetectionBudget());
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
        Instant waitUntil = Instant.now().plus(heartbeatInterval);
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
        FlinkProcess victim = aTaskManagerRunning(job);

        Instant hung = victim.hang();
        Duration detection = detection(job, hung);
        Duration recovery = recovery(job, hung);
        victim.resume();

        assertThat(detection).as("a hung TaskManager is detected by the heartbeat timeout (%s, interval %s)",
                heartbeatTimeout, heartbeatInterval)
            .isGreaterThanOrEqualTo(heartbeatTimeout.minus(heartbeatInterval).minusSeconds(1))
            .isLessThanOrEqualTo(heartbeatTimeout.plusSeconds(3));
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
        long target = jobs.completedCheckpoints(job) + more;
        Await.until(more + " more checkpoints of " + job, TIMEOUT, () -> jobs.completedCheckpoints(job) >= target,
            () -> jobs.checkpoints(job).path("counts").toString());
    }

    /** A TaskManager that runs some of the job's subtasks. */
    private FlinkProcess aTaskManagerRunning(String job) {
        Set<String> hosts = jobs.taskManagersOf(job);
        assertThat(hosts).as("TaskManagers running the job").isNotEmpty();
        return cluster.taskManager(hosts.iterator().next());
    }

    /** From the fault until the JobManager recorded the job's failure (its exception history's timestamp). */
    private Duration detection(String job, Instant fault) {
        List<Failure> failures = new ArrayList<>();
        Await.until("the job's failure after the fault", TIMEOUT, () -> {
            failures.clear();
            try {
                jobs.failures(job).stream().filter(failure -> !failure.at().isBefore(fault.minusMillis(500)))
                    .findFirst().ifPresent(failures::add);
            } catch (RuntimeException noAnswer) {
                // the JobManager may be busy failing over
            }
            return !failures.isEmpty();
        }, () -> jobs.state(job).orElse("(no answer)"));
        System.out.println("[TEST] failure recorded: " + failures.get(0));
        return Duration.between(fault, failures.get(0).at());
    }

    private Duration untilDeregistered(FlinkProcess taskManager, Instant fault) {
        Await.until(taskManager.name() + " to leave the cluster", TIMEOUT,
            () -> !cluster.registeredTaskManagers().contains(taskManager.name()),
            () -> cluster.registeredTaskManagers().toString());
        return Duration.between(fault, Instant.now());
    }

    /** From the fault until every task runs again and a checkpoint completed after it. */
    private Duration recovery(String job, Instant from) {
        Await.until("job " + job + " to run all tasks again and complete a checkpoint", TIMEOUT,
            () -> jobs.allTasksRunning(job)
                && jobs.latestCheckpointCompletion(job).map(at -> at.isAfter(from)).orElse(false),
            () -> jobs.state(job).orElse("(no answer)") + ", root exception: " + jobs.rootException(job));
        return Duration.between(from, Instant.now());
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

    private Duration killDetectionBudget() {
        return heartbeatInterval.multipliedBy(rpcFailureThreshold).plusSeconds(3);
    }

    private static Duration duration(String key, String fallback) {
        return TimeUtils.parseDuration(cluster.effectiveConfiguration().getOrDefault(key, fallback));
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
