package io.eventflow.devstack.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/** {@code bin/devstack} as a newcomer runs it: the four lines, three working endpoints, a clean stop on SIGTERM. */
class DevStackCommandITCase {

    @Test
    void itPrintsTheEndpointsThenReadyAndStopsCleanlyOnSigterm() throws Exception {
        Path root = Paths.get("").toAbsolutePath().getParent();
        Path dataDirectory = Files.createTempDirectory("devstack-it-");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/devstack").toString(),
            "--mongodb-port", "0", "--kafka-port", "0", "--flink-port", "0")
            .directory(root.toFile())
            .redirectError(dataDirectory.resolve("stderr.txt").toFile());
        builder.environment().put("EVENTFLOW_DATA_DIR", dataDirectory.toString());
        builder.environment().put("EVENTFLOW_HEAP", "1g");
        Process process = builder.start();
        try {
            List<String> lines = readUntilReady(process);

            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("mongodb=mongodb://127\\.0\\.0\\.1:\\d+/\\?replicaSet=rs0");
            assertThat(lines.get(1)).matches("kafka=127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(2)).matches("flink=http://127\\.0\\.0\\.1:\\d+");
            assertThat(lines.get(3)).isEqualTo("ready");

            try (MongoClient mongo = MongoClients.create(value(lines.get(0)))) {
                assertThat(mongo.getDatabase("admin").runCommand(new Document("ping", 1)).get("ok")).isEqualTo(1.0);
            }
            try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, value(lines.get(1))))) {
                assertThat(kafka.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            HttpResponse<String> overview = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(value(lines.get(2)) + "/overview")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(overview.body()).contains("\"taskmanagers\":1");
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        assertThat(Files.readString(dataDirectory.resolve("stderr.txt"))).contains("stopped");
    }

    private static List<String> readUntilReady(Process process) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String line;
        while ((line = reader.readLine()) != null) {
            lines.add(line);
            if (line.equals("ready") || System.nanoTime() > deadline) {
                break;
            }
        }
        return lines;
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1);
    }
}
