package io.eventflow.devstack.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.testing.ScriptOutput;

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
            List<String> lines = ScriptOutput.readUntilReady(process, Duration.ofSeconds(180));

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
            // devstack's log configuration, not the log4j2-test.properties of Flink's test jars on the classpath
            assertThat(dataDirectory.resolve("devstack.log")).content()
                .contains("Flink cluster with dashboard at " + value(lines.get(2)));
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        assertThat(Files.readString(dataDirectory.resolve("stderr.txt"))).contains("stopped");
    }

    /**
     * The first run builds the module, and what Maven prints must not spoil the lines: a reader that takes stdout and
     * stderr together (as a terminal shows them) still finds {@code mongodb=...} alone on its line. The module built
     * here is a stand-in (a two-line Maven project in a copy of the scripts' layout, so that the build takes seconds,
     * not devstack's minute) built by the real Maven exactly as the script builds devstack; the stack that then
     * starts is the real one, limited to MongoDB.
     */
    @Test
    void onFirstUseTheBuildLeavesTheLinesClean() throws Exception {
        Path root = Paths.get("").toAbsolutePath().getParent();
        Path copy = Files.createTempDirectory("devstack-first-use-");
        copyScripts(root, copy);
        Files.writeString(copy.resolve("pom.xml"), STAND_IN_PARENT);
        Path module = Files.createDirectories(copy.resolve("devstack"));
        Files.writeString(module.resolve("pom.xml"), STAND_IN_MODULE);
        Files.createDirectories(module.resolve("src/main/resources"));
        Files.copy(root.resolve("devstack/src/main/resources/log4j2.properties"),
            module.resolve("src/main/resources/log4j2.properties"));
        Files.createDirectories(module.resolve("target"));
        Files.createSymbolicLink(module.resolve("target/classes"), root.resolve("devstack/target/classes"));
        Path stamp = Files.copy(root.resolve("devstack/target/classpath.txt"), module.resolve("target/classpath.txt"));
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().minus(Duration.ofHours(1)))); // older than the poms

        ProcessBuilder builder = new ProcessBuilder(copy.resolve("bin/devstack").toString(),
            "--only", "mongodb", "--mongodb-port", "0")
            .directory(copy.toFile())
            .redirectErrorStream(true);
        builder.environment().put("EVENTFLOW_DATA_DIR", copy.resolve(".devstack").toString());
        builder.environment().put("EVENTFLOW_HEAP", "512m");
        // the build's local repository; the stand-in is not installed into it
        builder.environment().put("MAVEN_OPTS", "-Dmaven.install.skip=true"
            + (System.getProperty("maven.repo.local") != null ? " -Dmaven.repo.local=" + System.getProperty("maven.repo.local") : ""));
        Process process = builder.start();
        try {
            List<String> lines = ScriptOutput.readUntilReady(process, Duration.ofSeconds(180));

            assertThat(lines).as("stdout and stderr of the first run").containsExactly(
                "building devstack (first use or sources changed) ...", lines.get(1), "ready");
            assertThat(lines.get(1)).matches("mongodb=mongodb://127\\.0\\.0\\.1:\\d+/\\?replicaSet=rs0");
            assertThat(Files.getLastModifiedTime(stamp).toInstant()).as("the stamp of the build")
                .isAfter(Instant.now().minus(Duration.ofMinutes(10)));
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static final String STAND_IN_PARENT = """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
            <modelVersion>4.0.0</modelVersion>
            <groupId>io.eventflow.test</groupId>
            <artifactId>first-use</artifactId>
            <version>1</version>
            <packaging>pom</packaging>
            <modules><module>devstack</module></modules>
            <build><pluginManagement><plugins><plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-install-plugin</artifactId>
                <version>3.1.1</version>
            </plugin></plugins></pluginManagement></build>
        </project>
        """;

    private static final String STAND_IN_MODULE = """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
            <modelVersion>4.0.0</modelVersion>
            <parent><groupId>io.eventflow.test</groupId><artifactId>first-use</artifactId><version>1</version></parent>
            <artifactId>devstack</artifactId>
            <packaging>pom</packaging>
        </project>
        """;

    private static void copyScripts(Path root, Path copy) throws IOException {
        Files.createDirectories(copy.resolve("bin/lib"));
        for (String script : List.of("bin/devstack", "bin/lib/common.sh")) {
            Files.copy(root.resolve(script), copy.resolve(script), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1);
    }
}
