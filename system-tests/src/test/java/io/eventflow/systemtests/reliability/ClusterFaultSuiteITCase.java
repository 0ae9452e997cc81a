package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.devstack.cluster.FlinkProcess;
import io.eventflow.devstack.cluster.FlinkStandaloneCluster;
import io.eventflow.devstack.cluster.FlinkStandaloneClusterExtension;
import io.eventflow.devstack.junit.EmbeddedKafkaExtension;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.testing.ClusterJobs;
import io.eventflow.devstack.testing.Heartbeats;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.systemtests.testing.ExactlyOnceChecks;
import io.eventflow.systemtests.testing.ExactlyOnceChecks.Tally;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OpsCommand;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;

/**
 * The fault suite's process faults: the product as users deploy it, the Order example's application jar
 * ({@code examples/orders/target/orders-app.jar}, the job with its projections) on a standalone cluster of separate
 * processes (a JobManager and TaskManagers configured by flink-conf/config.yaml, ZooKeeper high availability) against
 * the embedded MongoDB and Kafka, with Order traffic appended through the event writer at a steady rate while
 * TaskManagers are killed or hung, the JobManager is killed and replaced, and the job is rescaled through savepoints.
 * Jobs are started as from the dashboard (the jar uploaded once, its main run by the JobManager), and restored at
 * another parallelism with {@code bin/submit --savepoint} ({@link OpsCommand}: the main builds the job graph in the
 * command's JVM, as under {@code flink run}).
 *
 * <p>Every scenario ends with the suite's checks: the read models equal the replay oracle, and Kafka, read with
 * read_committed, holds every stored event exactly once, in order. Detection (from the fault until the JobManager
 * recorded the failure) and recovery (until every task ran again and a checkpoint completed after the fault) go to
 * {@code target/reliability.md}; detection is checked against the heartbeat settings. Last, no process may have
 * logged a class loading error: the shaded jar ran in Flink's child-first user-code class loaders all along.
 *
 * <p>One cluster serves every scenario (a start costs ~10 s), in an order that reuses what the one before leaves
 * (the rescale's third TaskManager gives the kill its spare slots, the kill leaves the two the last scenario fills);
 * each begins without a job, with databases and topics of its own, and starts the TaskManagers it lacks when run
 * alone.
 */
@Tag("process")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultSuiteITCase {

    /** The Order example's application jar, built before this module (see pom.xml). */
    private static final Path APP_JAR = Path.of("..", "examples", "orders", "target", "orders-app.jar")
        .toAbsolutePath().normalize();
    private static final int TASK_MANAGERS = 2;
    private static final int SLOTS_PER_TASK_MANAGER = 2;
    /** Events per second appended while the faults happen. */
    private static final double RATE = 100;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Pattern CLASS_LOADING_ERROR = Pattern.compile(
        "LinkageError|ClassNotFoundException|NoClassDefFoundError|NoSuchMethodError|NoSuchFieldError"
            + "|IllegalAccessError|IncompatibleClassChangeError|ClassCastException|AbstractMethodError");
    /** Flink says at INFO what optional libraries (Hadoop) it did not find; that is no clash. */
    private static final Pattern INFO_LINE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} [\\d:,]+ (INFO|DEBUG) ");

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension(builder -> builder.defaultPartitions(3));
    @RegisterExtension
    static final FlinkStandaloneClusterExtension CLUSTER = new FlinkStandaloneClusterExtension(builder -> {
        builder.taskManagers(TASK_MANAGERS).slotsPerTaskManager(SLOTS_PER_TASK_MANAGER).highAvailability()
            .workDirectory(Path.of("target", "cluster-fault-suite").toAbsolutePath());
        Heartbeats.applyRequestedSettings(builder);
    });

    private static FlinkStandaloneCluster cluster;
    /** Stops jobs with savepoints and reads their metrics as the operations commands do (Flink's REST client). */
    private static FlinkRestClient flink;
    /** Watches them: tasks, checkpoints, the exception history. */
    private static ClusterJobs jobs;
    private static Heartbeats heartbeats;
    /** The application jar, uploaded as on the dashboard's "Submit New Job" page: its id. */
    private static String uploadedJar;

    @BeforeAll
    static void connect() {
        assertThat(APP_JAR).as("the example's application jar; build it with mvn -B -DskipTests package").exists();
        cluster = CLUSTER.cluster();
        flink = new FlinkRestClient(cluster.restUrl());
        jobs = new ClusterJobs(cluster.restUrl());
        heartbeats = Heartbeats.of(cluster);
        uploadedJar = jobs.uploadJar(APP_JAR);
    }

    @Test
    @Order(1)
    void aHungTaskManagerIsDeclaredLostWhenItsHeartbeatTimesOut() throws Exception {
        jobs.resetCluster(cluster, TASK_MANAGERS, TIMEOUT);
        try (Scenario scenario = new Scenario("tm-hang")) {
            scenario.start(scenario.runFromDashboard(2));

            TaskManagerFault hang = scenario.faultATaskManagerRunningTheJob(FlinkProcess::hang);
            // back from its pause, the TaskManager finds its tasks failed over: its Kafka producers are fenced and
            // what it had not committed is aborted
            hang.victim().resume();

            assertThat(hang.detection()).as("a hung TaskManager is detected by the heartbeat timeout (%s, interval %s)",
                    heartbeats.timeout(), heartbeats.interval())
                .isGreaterThanOrEqualTo(heartbeats.hangDetectionEarliest())
                .isLessThanOrEqualTo(heartbeats.hangDetectionLatest());
            scenario.finish("12. TaskManager hung", "SIGSTOP to " + hang.victim().name() + " at p=2, SIGCONT after "
                + "recovery", hang.detection(), hang.recovery());
        }
    }

    @Test
    @Order(2)
    void aKilledJobManagerIsReplacedAndTheJobResumesFromItsLatestCheckpointWithoutAHuman() throws Exception {
        jobs.resetCluster(cluster, TASK_MANAGERS, TIMEOUT);
        try (Scenario scenario = new Scenario("jm-kill")) {
            scenario.start(scenario.runFromDashboard(2));
            long checkpointBefore = jobs.latestCheckpointId(scenario.job);

            Instant killed = Instant.now();
            cluster.killJobManager();
            FlinkProcess successor = cluster.startJobManager();
            Duration recovery = jobs.awaitRecovery(scenario.job, killed, TIMEOUT);

            long restored = jobs.restoredCheckpointId(scenario.job);
            assertThat(restored).as("the checkpoint %s restored the job from", successor.name())
                .isGreaterThanOrEqualTo(checkpointBefore);
            scenario.finish("13. JobManager killed, ZooKeeper HA", "SIGKILL to the JobManager at p=2, " + successor.name()
                + " started at once: it took the job over and restored checkpoint " + restored + " (latest before the kill: "
                + checkpointBefore + ")", null, recovery);
        }
    }

    @Test
    @Order(3)
    void stopWithSavepointAtParallelism2RestoresAt4OnThreeTaskManagersAndBackTo1UnderLoad() throws Exception {
        jobs.resetCluster(cluster, TASK_MANAGERS, TIMEOUT);
        try (Scenario scenario = new Scenario("rescale")) {
            scenario.start(scenario.runFromDashboard(2));
            cluster.addTaskManager();

            // as an operator rescales: stop with a savepoint, then bin/submit --savepoint at the new parallelism
            String savepoint = flink.stopWithSavepoint(scenario.job, null, TIMEOUT);
            Instant stopped = Instant.now();
            scenario.job = scenario.submit(4, savepoint);
            Duration downTo4 = jobs.awaitRecovery(scenario.job, stopped, TIMEOUT);
            assertThat(jobs.taskManagersOf(scenario.job)).as("p=4 on three TaskManagers of 2 slots")
                .hasSizeGreaterThanOrEqualTo(2);

            savepoint = flink.stopWithSavepoint(scenario.job, null, TIMEOUT);
            stopped = Instant.now();
            scenario.job = scenario.submit(1, savepoint);
            Duration downTo1 = jobs.awaitRecovery(scenario.job, stopped, TIMEOUT);

            scenario.finish("14. Rescale through savepoints", "stop-with-savepoint at p=2 on 2 TaskManagers, restore with "
                + "bin/submit at p=4 on 3 (down " + ReliabilityReport.seconds(downTo4) + "), stop-with-savepoint, restore "
                + "at p=1 (down " + ReliabilityReport.seconds(downTo1) + ")", null,
                downTo4.compareTo(downTo1) > 0 ? downTo4 : downTo1);
        }
    }

    /** On the three TaskManagers the rescale left (or as many started): the others have slots to spare. */
    @Test
    @Order(4)
    void aTaskManagerKilledUnderLoadIsDetectedAndTheJobRestoresOnTheSpareSlotsOfTheOthers() throws Exception {
        jobs.resetCluster(cluster, TASK_MANAGERS + 1, TIMEOUT);
        try (Scenario scenario = new Scenario("tm-kill")) {
            scenario.start(scenario.runFromDashboard(2));

            TaskManagerFault kill = scenario.faultATaskManagerRunningTheJob(FlinkProcess::kill);

            assertThat(kill.detection()).as("a killed TaskManager is detected within %d heartbeat intervals (%s)",
                heartbeats.rpcFailureThreshold(), heartbeats.interval()).isLessThanOrEqualTo(heartbeats.killDetectionBudget());
            scenario.finish("15. TaskManager killed", "SIGKILL to " + kill.victim().name() + " at p=2, spare slots on the "
                + "other TaskManagers", kill.detection(), kill.recovery());
        }
    }

    /** On the two TaskManagers the kill before left (or as many started). */
    @Test
    @Order(5)
    void withoutSpareSlotsTheJobWaitsForANewTaskManagerAndRecoversWhenItRegisters() throws Exception {
        jobs.resetCluster(cluster, TASK_MANAGERS, TIMEOUT);
        try (Scenario scenario = new Scenario("tm-kill-no-spare")) {
            scenario.start(scenario.runFromDashboard(TASK_MANAGERS * SLOTS_PER_TASK_MANAGER));
            assertThat(jobs.taskManagersOf(scenario.job)).as("TaskManagers running the job").hasSize(TASK_MANAGERS);
            FlinkProcess victim = jobs.aTaskManagerRunning(scenario.job, cluster);

            Instant killed = victim.kill();
            Duration detection = detection(scenario.job, killed);
            Instant waitUntil = Instant.now().plus(heartbeats.interval());
            while (Instant.now().isBefore(waitUntil)) {
                assertThat(jobs.allTasksRunning(scenario.job)).as("the job cannot run all its tasks on the remaining slots")
                    .isFalse();
                Thread.sleep(250);
            }
            Instant added = Instant.now();
            cluster.addTaskManager();
            Duration recovery = jobs.awaitRecovery(scenario.job, added, TIMEOUT);

            scenario.finish("16. TaskManager killed, no spare slots", "SIGKILL to " + victim.name() + " at p=4 on 4 slots; "
                + "the job waits, a new TaskManager starts " + ReliabilityReport.seconds(Duration.between(killed, added))
                + " later (recovery counted from then)", detection, recovery);
        }
    }

    /**
     * Class loading as deployed: the shaded application jar ran in the user-code class loaders (child-first) of the
     * JobManager (the dashboard's run) and of every TaskManager, next to Flink's own libraries, through every scenario
     * above (restores, failovers, rescales); a MiniCluster in one JVM would hide a clash between the two.
     */
    @Test
    @Order(6)
    void noProcessLoggedAClassLoadingError() throws IOException {
        List<String> errors = new ArrayList<>();
        try (Stream<Path> files = Files.list(cluster.logDirectory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (CLASS_LOADING_ERROR.matcher(line).find() && !INFO_LINE.matcher(line).find()) {
                        errors.add(file.getFileName() + ": " + line);
                    }
                }
            }
        }
        assertThat(errors).as("class loading errors in the processes' logs").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A fault given to a TaskManager: which one, and how long Flink took to notice and to recover. */
    private record TaskManagerFault(FlinkProcess victim, Duration detection, Duration recovery) {
    }

    /** One scenario's slice of the stack: its databases and topics, its job, and the traffic. */
    private static final class Scenario implements AutoCloseable {

        final JobStack stack;
        OrderTraffic.Steady traffic;
        String job;

        Scenario(String name) {
            stack = new JobStack(MONGO.connectionString(), KAFKA.bootstrapServers(), name);
        }

        /** Submits the application jar with bin/submit, from a savepoint or fresh; returns once every task runs. */
        String submit(int parallelism, String savepoint) {
            String id = OpsCommand.submit(cluster.restUrl(), APP_JAR, savepoint, arguments(parallelism));
            jobs.awaitAllTasksRunning(id, TIMEOUT);
            return id;
        }

        /** Runs the application jar as the dashboard does (the JobManager runs its main); returns once every task runs. */
        String runFromDashboard(int parallelism) {
            String id = jobs.run(uploadedJar, null, arguments(parallelism), parallelism, null);
            jobs.awaitAllTasksRunning(id, TIMEOUT);
            return id;
        }

        private List<String> arguments(int parallelism) {
            return stack.arguments(Map.of(JobOptionKeys.JOB_PARALLELISM, String.valueOf(parallelism)));
        }

        /** Starts the traffic for the running job; returns once it appends and a checkpoint has covered some of it. */
        void start(String runningJob) {
            job = runningJob;
            traffic = OrderTraffic.steady(stack.store, OrderTraffic.plan(stack.name, 1500, 6, stack.name.hashCode()), 2,
                RATE);
            Await.until("the first " + (int) RATE + " events appended", TIMEOUT, () -> traffic.appended() >= RATE,
                () -> traffic.appended() + " appended");
            jobs.awaitCheckpoints(job, 1, TIMEOUT);
        }

        /** Gives a TaskManager that runs the job the fault; measures detection and recovery from the fault. */
        TaskManagerFault faultATaskManagerRunningTheJob(Function<FlinkProcess, Instant> fault) {
            FlinkProcess victim = jobs.aTaskManagerRunning(job, cluster);
            Instant at = fault.apply(victim);
            Duration detection = detection(job, at);
            return new TaskManagerFault(victim, detection, jobs.awaitRecovery(job, at, TIMEOUT));
        }

        /**
         * Lets the traffic run on for another checkpoint, stops it, and checks the read models against the oracle and
         * Kafka for every event once, in order; records the row.
         */
        void finish(String scenario, String faults, Duration detection, Duration recovery) throws Exception {
            jobs.awaitCheckpoints(job, 1, TIMEOUT);
            traffic.close();
            ExactlyOnceChecks.assertReadModelsMatchTheOracle(stack, Registries.ORDERS, WAIT);
            Tally tally = ExactlyOnceChecks.assertKafkaHoldsEveryEventOnceInOrder(stack, stack.events().countDocuments(),
                WAIT);
            assertThat(tally.events()).as("events appended during the scenario").isGreaterThan((long) RATE);
            ReliabilityReport.record(scenario, tally.events(), faults + ", " + (int) RATE + " events/s appended",
                tally.lost(), tally.duplicated(), detection, recovery);
        }

        @Override
        public void close() throws Exception {
            try {
                if (traffic != null) {
                    traffic.close();
                }
            } finally {
                stack.close();
            }
        }
    }

    private static Duration detection(String job, Instant fault) {
        return Duration.between(fault, jobs.awaitFailureAfter(job, fault, TIMEOUT).at());
    }
}
