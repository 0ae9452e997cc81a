package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.YamlParserUtils;

/**
 * The configuration a {@link FlinkStandaloneCluster} runs with, in three layers, later ones winning: the deployment's
 * {@code flink-conf/config.yaml}; the local overlay ({@code flink-conf/local.yaml}: addresses, ports, directories and
 * memory for one small machine), whose values may name the cluster's work directory as {@value #WORK_DIR}; and the
 * settings of this run (REST port, slots, high availability, anything given to the builder). The result is written
 * as one flat {@code config.yaml} into the conf directory that every process of the cluster reads, next to the
 * {@code log4j.properties} they log with.
 */
final class ClusterConfiguration {

    /** Stands for the cluster's work directory in the overlay's values. */
    static final String WORK_DIR = "${cluster.dir}";

    static final String CONFIG_FILE = "config.yaml";
    static final String LOG_CONFIG_FILE = "log4j.properties";

    private ClusterConfiguration() {
    }

    /**
     * The three layers merged. The overlay's {@value #WORK_DIR} is replaced by {@code workDirectory}; keys are
     * Flink's flat option names ({@code a: {b: 1}} is {@code a.b}).
     */
    static Map<String, String> compose(Path deploymentFile, Path overlayFile, Path workDirectory,
                                       Map<String, String> runSettings) {
        Map<String, String> settings = new LinkedHashMap<>(read(deploymentFile));
        read(overlayFile).forEach((key, value) ->
            settings.put(key, value.replace(WORK_DIR, workDirectory.toAbsolutePath().toString())));
        settings.putAll(runSettings);
        return settings;
    }

    /** A Flink YAML file as flat option names and their values as text (lists in YAML's flow style). */
    static Map<String, String> read(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no Flink configuration file at " + file.toAbsolutePath());
        }
        Map<String, Object> document;
        try {
            document = YamlParserUtils.loadYamlFile(file.toFile());
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the Flink configuration " + file.toAbsolutePath()
                + " (it must be standard YAML, as Flink 1.19's config.yaml): " + e.getMessage(), e);
        }
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", document, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> node, Map<String, String> into) {
        node.forEach((key, value) -> {
            String name = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
            if (value instanceof Map<?, ?> nested) {
                flatten(name, nested, into);
            } else if (value instanceof List<?> list) {
                into.put(name, YamlParserUtils.toYAMLString(list).strip());
            } else if (value != null) {
                into.put(name, String.valueOf(value));
            }
        });
    }

    /** Writes {@code config.yaml} (flat keys, values quoted where YAML needs it) and the processes' log settings. */
    static void write(Map<String, String> settings, Path confDirectory) {
        List<String> lines = new ArrayList<>();
        lines.add("# Written by io.eventflow.devstack.cluster.FlinkStandaloneCluster at each start: flink-conf/config.yaml,");
        lines.add("# then flink-conf/local.yaml, then the settings of this run. Edit those, not this file.");
        lines.addAll(ConfigurationUtils.convertConfigToWritableLines(Configuration.fromMap(settings), true));
        try {
            Files.createDirectories(confDirectory);
            Files.write(confDirectory.resolve(CONFIG_FILE), lines, StandardCharsets.UTF_8);
            try (InputStream logConfig = ClusterConfiguration.class.getResourceAsStream("log4j-cluster.properties")) {
                if (logConfig == null) {
                    throw new IllegalStateException("log4j-cluster.properties is missing from the devstack jar");
                }
                Files.copy(logConfig, confDirectory.resolve(LOG_CONFIG_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's configuration into " + confDirectory, e);
        }
    }

    /** Splits a JVM options value the way Flink's scripts do (unquoted shell words). */
    static List<String> words(String value) {
        List<String> words = new ArrayList<>();
        if (value != null) {
            for (String word : value.strip().split("\\s+")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
        }
        return words;
    }

    /** The file, found in the working directory or the nearest parent that has it (tests run in a module). */
    static Path findUpwards(String relativePath) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relativePath);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + relativePath + " in " + Path.of("").toAbsolutePath()
            + " or any parent directory; set it on the builder");
    }

    static String fileUri(Path path) {
        return path.toAbsolutePath().toUri().toString();
    }
}
