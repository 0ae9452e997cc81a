package io.eventflow.devstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.eventflow.devstack.cluster.testjob.SequenceJob;
import io.eventflow.devstack.testing.ClusterJobs;

/**
 * On request only ({@code -Dheartbeat.margin.minutes=N}): how close a healthy cluster comes to the heartbeat timeout
 * of flink-conf/config.yaml on this machine, the measurement behind that setting. Two TaskManagers run the test job
 * at parallelism 4 as fast as it goes while two busy loops take both cores away from them; afterwards it counts the
 * heartbeat timeouts the JobManager logged (a false alarm costs a restart) and reads the longest GC pause of every
 * process from its GC log.
 *
 * <pre>
 * mvn -B verify -pl devstack -Dit.test=HeartbeatMarginITCase -Dheartbeat.margin.minutes=3
 * </pre>
 */
@Tag("process")
class HeartbeatMarginITCase {

    private static final Pattern PAUSE = Pattern.compile("Pause .* (\\d+\\.\\d+)ms");

    @Test
    void aSaturatedMachineStaysWithinTheHeartbeatTimeout() throws Exception {
        String minutes = System.getProperty("heartbeat.margin.minutes");
        assumeTrue(minutes != null, "on request only: -Dheartbeat.margin.minutes=N");
        Path work = Path.of("target", "heartbeat-margin-cluster").toAbsolutePath();
        Path gcLogs = Path.of("target", "heartbeat-margin-gc").toAbsolutePath();
        Files.createDirectories(gcLogs);
        try (Stream<Path> old = Files.list(gcLogs)) {
            old.forEach(file -> file.toFile().delete());
        }
        List<Process> busyLoops = new ArrayList<>();
        try (FlinkStandaloneCluster cluster = FlinkStandaloneCluster.builder().taskManagers(2).slotsPerTaskManager(2)
                .workDirectory(work)
                .setting("env.java.opts.taskmanager", "-Xlog:gc:file=" + gcLogs + "/taskmanager-%p.log")
                .setting("env.java.opts.jobmanager", "-Xlog:gc:file=" + gcLogs + "/jobmanager-%p.log")
                .build().start()) {
            ClusterJobs jobs = new ClusterJobs(cluster.restUrl());
            Path output = Files.createTempDirectory(work, "output-");
            String job = jobs.run(jobs.uploadJar(TestJobJar.build()), SequenceJob.class.getName(),
                List.of("--output", output.toString(), "--rate", "1000000000", "--checkpoint-interval", "1000"), 4, null);
            jobs.awaitAllTasksRunning(job, Duration.ofMinutes(2));
            for (int i = 0; i < 2; i++) {
                busyLoops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            Instant end = Instant.now().plus(Duration.ofMinutes(Long.parseLong(minutes)));
            while (Instant.now().isBefore(end)) {
                Thread.sleep(1000);
            }
            busyLoops.forEach(Process::destroyForcibly);
            String jobManagerLog = Files.readString(cluster.jobManager().logFile(), StandardCharsets.UTF_8);
            long timeouts = Pattern.compile("Heartbeat of TaskManager with id .* timed out").matcher(jobManagerLog)
                .results().count();
            System.out.println("[TEST] heartbeat margin: " + minutes + " min saturated, " + jobs.failures(job).size()
                + " job failures, " + timeouts + " heartbeat timeouts logged, " + jobs.completedCheckpoints(job)
                + " checkpoints, longest GC pause " + longestPause(gcLogs) + " ms, heartbeat.timeout "
                + cluster.effectiveConfiguration().get("heartbeat.timeout") + " ms");
            assertThat(timeouts).as("heartbeat timeouts of healthy TaskManagers").isZero();
        } finally {
            busyLoops.forEach(Process::destroyForcibly);
        }
    }

    private static double longestPause(Path gcLogs) throws IOException {
        double longest = 0;
        try (Stream<Path> files = Files.list(gcLogs)) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Matcher matcher = PAUSE.matcher(line);
                    if (matcher.find()) {
                        longest = Math.max(longest, Double.parseDouble(matcher.group(1)));
                    }
                }
            }
        }
        return longest;
    }
}
