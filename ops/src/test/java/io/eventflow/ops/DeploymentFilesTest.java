package io.eventflow.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Guards the docker-compose deployment: {@code docker-compose.yml}, the Flink cluster's {@code flink-conf/config.yaml}
 * and the job's {@code flink-conf/job.yaml}. They are checked as files, without starting anything: the services and
 * the settings the deployment relies on (a replica set that initiates itself, a KRaft broker with a transaction log,
 * exactly-once checkpoints on RocksDB in a shared directory), mounts that point at files the repository has or builds,
 * job options that the README documents (the job module's {@code ReadmeTest} ties that table to the job's options),
 * and, where docker-compose or the docker compose plugin is installed, that Compose accepts the file.
 */
class DeploymentFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = repositoryRoot();
    private static final Set<String> BUILT_JARS = Set.of("examples/orders/target/orders-app.jar",
        "demo/target/demo-writer.jar");
    /** A mount source with a default, {@code ${EVENTFLOW_JOB_JAR:-./examples/...}}: the default is what is checked. */
    private static final java.util.regex.Pattern VARIABLE_WITH_DEFAULT = java.util.regex.Pattern.compile(
        "\\$\\{[A-Z_]+:-([^}]+)}");

    @Test
    void composeDefinesTheStack() throws IOException {
        JsonNode services = read("docker-compose.yml").path("services");

        assertThat(fieldNames(services))
            .contains("mongodb", "kafka", "jobmanager", "taskmanager", "submit-job", "demo-writer");
        assertThat(text(services.path("mongodb").path("healthcheck").path("test")))
            .contains("rs.initiate", "isWritablePrimary");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(strings(services.path(flink).path("volumes"))).as(flink)
                .anyMatch(volume -> volume.startsWith("./flink-conf/config.yaml:/opt/flink/conf/config.yaml"))
                .contains("flink-data:/flink-data");
        }
        assertThat(text(services.path("submit-job").path("command")))
            .contains("flink run")
            .contains("/job/app.jar");
        assertThat(strings(services.path("submit-job").path("volumes")))
            .as("the application jar is the example's unless EVENTFLOW_JOB_JAR names the user's")
            .contains("${EVENTFLOW_JOB_JAR:-./examples/orders/target/orders-app.jar}:/job/app.jar:ro");
        Map<String, String> kafka = environment(services.path("kafka"));
        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("controller");
        assertThat(kafka).containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
    }

    @Test
    void composeMountsOnlyFilesThatExistOrAreBuilt() throws IOException {
        JsonNode services = read("docker-compose.yml").path("services");
        List<String> sources = new ArrayList<>();
        services.forEach(service -> service.path("volumes").forEach(volume -> {
            String text = volume.isTextual() ? volume.asText() : volume.path("source").asText();
            java.util.regex.Matcher variable = VARIABLE_WITH_DEFAULT.matcher(text);
            sources.add(variable.lookingAt() ? variable.group(1) : text.split(":", 2)[0]);
        }));

        List<String> fromRepository = sources.stream().filter(source -> source.startsWith("./")).toList();
        assertThat(fromRepository).isNotEmpty().allSatisfy(source -> {
            String path = Path.of(source.substring(2)).normalize().toString().replace(File.separatorChar, '/');
            assertThat(BUILT_JARS.contains(path) || Files.exists(ROOT.resolve(path)))
                .as("%s is in the repository or is one of the built jars %s", source, BUILT_JARS).isTrue();
        });
    }

    @Test
    void flinkConfigurationIsExactlyOnceOnRocksDb() throws IOException {
        Map<String, String> config = flatten(read("flink-conf/config.yaml"));

        assertThat(config)
            .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
            .containsEntry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION")
            .containsEntry("state.backend.type", "rocksdb")
            .containsEntry("state.backend.incremental", "true")
            .containsEntry("restart-strategy.type", "exponential-delay")
            .containsEntry("rest.port", "8081");
        // on the flink-data volume that both the jobmanager and the taskmanager mount at /flink-data
        assertThat(config.get("state.checkpoints.dir")).startsWith("file:///flink-data/");
        assertThat(config.get("state.savepoints.dir")).startsWith("file:///flink-data/");
        assertThat(config.keySet()).anyMatch(key -> key.matches("metrics\\.reporter\\.[^.]+\\.factory\\.class"));
    }

    /**
     * README's Cluster mode promises the failure-detection settings its figures were measured with ("configured
     * (heartbeat 3 s / 15 s, ZooKeeper session 15 s)", two failed heartbeat calls); config.yaml must hold exactly
     * those, and the local overlay of bin/cluster and the process-level tests must not change them.
     */
    @Test
    void heartbeatAndZooKeeperSettingsAreTheOnesReadmePromises() throws IOException {
        Map<String, String> config = flatten(read("flink-conf/config.yaml"));
        String readme = Files.readString(ROOT.resolve("README.md"), UTF_8);
        Matcher promised = Pattern.compile(
            "configured \\(heartbeat (\\d+) s / (\\d+) s, ZooKeeper session (\\d+) s\\)").matcher(readme);
        assertThat(promised.find()).as("README's table of measured failures names the configured settings").isTrue();

        assertThat(seconds(config.get("heartbeat.interval"))).as("heartbeat.interval").isEqualTo(promised.group(1));
        assertThat(seconds(config.get("heartbeat.timeout"))).as("heartbeat.timeout").isEqualTo(promised.group(2));
        assertThat(seconds(config.get("high-availability.zookeeper.client.session-timeout")))
            .as("high-availability.zookeeper.client.session-timeout").isEqualTo(promised.group(3));
        assertThat(readme).contains("(two failed heartbeat calls)");
        assertThat(config).containsEntry("heartbeat.rpc-failure-threshold", "2");
        assertThat(flatten(read("flink-conf/local.yaml")).keySet()).as("keys the local overlay sets")
            .noneMatch(key -> key.startsWith("heartbeat.") || key.startsWith("high-availability.zookeeper."));
    }

    /** A Flink duration in whole seconds: a bare number is milliseconds ({@code 15000}), else {@code 15 s}. */
    private static String seconds(String value) {
        assertThat(value).as("a configured duration").isNotNull();
        return String.valueOf(TimeUtils.parseDuration(value).toSeconds());
    }

    @Test
    void jobConfigurationUsesOnlyDocumentedOptions() throws IOException {
        Set<String> options = flatten(read("flink-conf/job.yaml")).keySet();

        assertThat(options).isNotEmpty().isSubsetOf(documentedJobOptions());
    }

    @Test
    void composeAcceptsTheFile() throws Exception {
        List<String> compose = composeCommand();
        assumeTrue(compose != null, "neither docker-compose nor the docker compose plugin is installed");

        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", ROOT.resolve("docker-compose.yml").toString(), "config", "-q"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s said: %s", String.join(" ", command), output).isZero();
    }

    /** The option keys in the first column of README's table under "The projection job" > "Configuration". */
    private static Set<String> documentedJobOptions() throws IOException {
        Set<String> keys = new TreeSet<>();
        boolean inJobSection = false;
        boolean inConfiguration = false;
        for (String line : Files.readAllLines(ROOT.resolve("README.md"), UTF_8)) {
            if (line.startsWith("## ")) {
                inJobSection = line.strip().equals("## The projection job");
            }
            if (line.startsWith("## ") || line.startsWith("### ")) {
                inConfiguration = inJobSection && line.startsWith("### Configuration");
            } else if (inConfiguration && line.startsWith("| `")) {
                keys.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        return keys;
    }

    /** {@code docker-compose}, else {@code docker compose} if the plugin answers, else null. */
    private static List<String> composeCommand() throws InterruptedException {
        if (onPath("docker-compose")) {
            return List.of("docker-compose");
        }
        if (onPath("docker") && succeeds("docker", "compose", "version")) {
            return List.of("docker", "compose");
        }
        return null;
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean succeeds(String... command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Nested maps joined with dots, as Flink reads config.yaml and the job reads job.yaml. */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        flatten("", node, values);
        return values;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> values) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field ->
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), values));
        } else if (!node.isNull()) {
            values.put(prefix, text(node));
        }
    }

    /** A service's environment, whether written as a map or as a list of NAME=value. */
    private static Map<String, String> environment(JsonNode service) {
        JsonNode environment = service.path("environment");
        if (environment.isArray()) {
            Map<String, String> values = new LinkedHashMap<>();
            strings(environment).forEach(entry -> {
                String[] parts = entry.split("=", 2);
                values.put(parts[0], parts.length > 1 ? parts[1] : "");
            });
            return values;
        }
        return flatten(environment);
    }

    /** A scalar's text, or a list's items joined with spaces (a command in exec form reads like the shell form). */
    private static String text(JsonNode node) {
        return node.isArray() ? String.join(" ", strings(node)) : node.asText();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode read(String file) throws IOException {
        return YAML.readTree(ROOT.resolve(file).toFile());
    }

    /** The first directory up from the working directory (the module, when Maven runs) with the compose file. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker-compose.yml with a pom.xml above " + Path.of("").toAbsolutePath());
    }
}
