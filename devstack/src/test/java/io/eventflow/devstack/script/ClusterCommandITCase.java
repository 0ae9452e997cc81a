package io.eventflow.devstack.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.eventflow.devstack.testing.ScriptOutput;

/**
 * {@code bin/cluster} as a user runs it: flink=, zookeeper= (with --ha) and ready; a JobManager and a TaskManager as
 * processes of their own, each with its log; and on SIGTERM every one of them gone.
 */
@Tag("process")
class ClusterCommandITCase {

    @Test
    void itPrintsTheEndpointsThenReadyAndLeavesNoProcessBehindOnSigterm() throws Exception {
        Path root = Paths.get("").toAbsolutePath().getParent();
        Path dataDirectory = Files.createTempDirectory("cluster-it-");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/cluster").toString(),
            "--flink-port", "0", "--task-managers", "1", "--slots", "1", "--ha")
            .directory(root.toFile())
            .redirectError(dataDirectory.resolve("stderr.txt").toFile());
        builder.environment().put("EVENTFLOW_DATA_DIR", dataDirectory.toString());
        Process process = builder.start();
        List<Long> pids = new ArrayList<>();
        try {
            List<String> lines = ScriptOutput.readUntilReady(process, Duration.ofSeconds(180));

            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).matches("flink=http://127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(1)).matches("zookeeper=127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(2)).isEqualTo("ready");
            HttpResponse<String> overview = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(lines.get(0).substring("flink=".length()) + "/overview")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(overview.body()).contains("\"taskmanagers\":1", "\"slots-total\":1");

            Path cluster = dataDirectory.resolve("cluster");
            for (String line : Files.readAllLines(cluster.resolve("processes.pid"))) {
                pids.add(Long.parseLong(line.split(" ")[0]));
            }
            assertThat(pids).hasSize(2).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertThat(cluster.resolve("log/jobmanager.log")).content().contains("Rest endpoint listening at");
            assertThat(cluster.resolve("log/taskmanager-1.log")).content().contains("Successful registration");
            assertThat(cluster.resolve("conf/config.yaml")).content()
                .contains("high-availability.type: zookeeper", "heartbeat.timeout:");
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        assertThat(Files.readString(dataDirectory.resolve("stderr.txt"))).contains("stopped");
        assertThat(pids).as("JobManager and TaskManager processes after the stop")
            .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }
}
