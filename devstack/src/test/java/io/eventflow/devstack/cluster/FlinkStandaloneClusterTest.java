package io.eventflow.devstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eventflow.devstack.cluster.ResourceParameters.Command;

/** The cluster's configuration layers, its classpath, BashJavaUtils' output and the builder's checks, without processes. */
class FlinkStandaloneClusterTest {

    @TempDir
    Path directory;

    @Test
    void theOverlayWinsOverTheDeploymentFileAndTheRunsSettingsWinOverBoth() throws IOException {
        Path deployment = write("config.yaml", """
            rest:
              port: 8081
              address: 0.0.0.0
            heartbeat:
              timeout: 15000
            env.java.opts.all: --add-opens=java.base/java.lang=ALL-UNNAMED
            """);
        Path overlay = write("local.yaml", """
            rest:
              address: 127.0.0.1
            state.checkpoints.dir: file://${cluster.dir}/shared/checkpoints
            """);

        Map<String, String> settings = ClusterConfiguration.compose(deployment, overlay, Path.of("/work/c1"),
            Map.of("rest.port", "40001"));

        assertThat(settings)
            .containsEntry("rest.port", "40001")
            .containsEntry("rest.address", "127.0.0.1")
            .containsEntry("heartbeat.timeout", "15000")
            .containsEntry("state.checkpoints.dir", "file:///work/c1/shared/checkpoints")
            .containsEntry("env.java.opts.all", "--add-opens=java.base/java.lang=ALL-UNNAMED");
    }

    @Test
    void theWrittenConfigurationIsReadBackByFlinkAsTheSameOptions() {
        Map<String, String> settings = Map.of("rest.port", "40001", "blob.server.port", "0",
            "classloader.parent-first-patterns.additional", "[a.b, c.d]", "state.checkpoints.dir", "file:///a b/c");

        ClusterConfiguration.write(settings, directory);

        Configuration read = GlobalConfiguration.loadConfiguration(directory.toString());
        assertThat(read.get(RestOptions.PORT)).isEqualTo(40001);
        assertThat(read.get(BlobServerOptions.PORT)).isEqualTo("0");
        assertThat(read.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL)).containsExactly("a.b", "c.d");
        assertThat(read.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///a b/c");
        assertThat(directory.resolve("log4j.properties")).content().contains("${sys:log.file}");
    }

    @Test
    void theLocalOverlayChangesOnlyAddressesPortsDirectoriesAndMemory() {
        Set<String> allowed = Set.of("jobmanager.rpc.address", "jobmanager.bind-host", "jobmanager.memory.process.size",
            "taskmanager.host", "taskmanager.bind-host", "taskmanager.memory.process.size", "rest.address",
            "rest.bind-address", "blob.server.port", "state.checkpoints.dir", "state.savepoints.dir",
            "high-availability.storageDir", "web.upload.dir");

        Map<String, String> overlay = ClusterConfiguration.read(ClusterConfiguration.findUpwards("flink-conf/local.yaml"));

        assertThat(overlay.keySet()).isSubsetOf(allowed);
        assertThat(overlay.get("state.checkpoints.dir")).startsWith("file://" + ClusterConfiguration.WORK_DIR);
    }

    @Test
    void bashJavaUtilsResultLinesBecomeJvmOptionsAndDynamicProperties() {
        String output = """
            INFO  [] - Loading configuration property: taskmanager.memory.process.size, 1536m
            BASH_JAVA_UTILS_EXEC_RESULT:-Xmx436207608 -Xms436207608 -XX:MaxDirectMemorySize=248302798 -XX:MaxMetaspaceSize=268435456
            INFO  [] - The derived from fraction jvm overhead memory (153.600mb (161061274 bytes)) is less than its min value 192.000mb (201326592 bytes), min value will be used instead
            BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.managed.size=456340282b -D taskmanager.cpu.cores=2.0
            """;

        ResourceParameters parameters = ResourceParameters.parse(Command.GET_TM_RESOURCE_PARAMS, output);

        assertThat(parameters.jvmOptions()).containsExactly("-Xmx436207608", "-Xms436207608",
            "-XX:MaxDirectMemorySize=248302798", "-XX:MaxMetaspaceSize=268435456");
        assertThat(parameters.dynamicProperties()).containsExactly("-D", "taskmanager.memory.managed.size=456340282b",
            "-D", "taskmanager.cpu.cores=2.0");
    }

    @Test
    void bashJavaUtilsOutputWithoutItsTwoResultLinesIsRefusedWithTheOutput() {
        assertThatThrownBy(() -> ResourceParameters.parse(Command.GET_JM_RESOURCE_PARAMS,
                "Exception in thread main: IllegalConfigurationException: too little memory"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("printed 0 result lines, expected 2")
            .hasMessageContaining("too little memory");
    }

    @Test
    void theClusterClasspathHoldsFlinkAndNothingOfTheEmbeddedServersOrTheTestUtilities() {
        List<String> jars = Arrays.stream(FlinkStandaloneCluster.defaultClasspath().split(":"))
            .map(path -> Path.of(path).getFileName().toString()).toList();

        assertThat(jars).anyMatch(jar -> jar.startsWith("flink-runtime-1.19"))
            .anyMatch(jar -> jar.startsWith("flink-statebackend-rocksdb"))
            .anyMatch(jar -> jar.startsWith("flink-table-api-java-1.19"))
            .anyMatch(jar -> jar.startsWith("log4j-core"));
        assertThat(jars).noneMatch(jar -> jar.endsWith("-tests.jar"))
            .noneMatch(jar -> jar.startsWith("flink-test-utils"))
            .noneMatch(jar -> jar.startsWith("kafka"))
            .noneMatch(jar -> jar.startsWith("mongo"))
            .noneMatch(jar -> jar.startsWith("netty"))
            .noneMatch(jar -> jar.startsWith("scala"))
            .noneMatch(jar -> jar.startsWith("jackson"))
            .noneMatch(jar -> jar.startsWith("zookeeper"))
            .noneMatch(jar -> jar.startsWith("junit"));
    }

    @Test
    void theBuilderRefusesImpossibleValuesNamingThem() {
        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().taskManagers(-1))
            .hasMessage("taskManagers must be 0 or more, was -1");
        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().slotsPerTaskManager(0))
            .hasMessage("slotsPerTaskManager must be at least 1, was 0");
        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().restPort(70000))
            .hasMessage("restPort must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().highAvailability(" "))
            .hasMessage("zooKeeperQuorum must name at least one host:port");
        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().configFile(directory.resolve("missing.yaml")).build())
            .hasMessageContaining("no Flink configuration file at");
    }

    @Test
    void aNonEmptyDirectoryThatIsNoClustersWorkDirectoryIsNeverCleared() throws IOException {
        Path precious = write("notes.txt", "keep me");

        assertThatThrownBy(() -> FlinkStandaloneCluster.builder().workDirectory(directory).build().start())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("is not empty and no cluster's work directory")
            .hasMessageContaining("refusing to clear it");
        assertThat(precious).hasContent("keep me");
    }

    @Test
    void binClusterRefusesAnUnknownOptionNamingTheKnownOnes() {
        assertThatThrownBy(() -> ClusterCommand.builder(ParameterTool.fromArgs(new String[] {"--task-manager", "3"})))
            .hasMessage("unknown option --task-manager; the options are --config, --flink-port, --ha, --overlay, "
                + "--slots, --task-managers, --work-dir");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(directory.resolve(name), content);
    }
}
