package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process's memory as Flink's own scripts compute it: {@code BashJavaUtils GET_TM_RESOURCE_PARAMS} (or
 * {@code GET_JM_RESOURCE_PARAMS}) run on the cluster's conf directory prints two result lines, the JVM options
 * ({@code -Xmx -Xms -XX:MaxDirectMemorySize -XX:MaxMetaspaceSize}) and the dynamic properties that pin every memory
 * component ({@code -D taskmanager.memory.managed.size=...}), which the process is then started with.
 *
 * @param jvmOptions      options for the java command, before the main class
 * @param dynamicProperties arguments after the main class, as {@code -D key=value} pairs
 */
record ResourceParameters(List<String> jvmOptions, List<String> dynamicProperties) {

    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    ResourceParameters {
        jvmOptions = List.copyOf(jvmOptions);
        dynamicProperties = List.copyOf(dynamicProperties);
    }

    enum Command { GET_TM_RESOURCE_PARAMS, GET_JM_RESOURCE_PARAMS }

    /** Runs BashJavaUtils in a JVM of its own on the cluster's classpath, as {@code bin/taskmanager.sh} does. */
    static ResourceParameters compute(Command command, Path java, String classpath, Path confDirectory) {
        List<String> commandLine = List.of(java.toString(), "-classpath", classpath, BASH_JAVA_UTILS,
            command.name(), "--configDir", confDirectory.toString());
        Process process;
        try {
            process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + BASH_JAVA_UTILS, e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(BASH_JAVA_UTILS + " " + command + " failed on " + confDirectory
                    + " (check the memory settings in flink-conf/config.yaml and flink-conf/local.yaml):\n" + output);
            }
            return parse(command, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of " + BASH_JAVA_UTILS, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing the " + command, e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** The two result lines of BashJavaUtils' output; everything else is its logging. */
    static ResourceParameters parse(Command command, String output) {
        List<String> results = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith(RESULT_PREFIX)) {
                results.add(line.substring(RESULT_PREFIX.length()).strip());
            }
        }
        if (results.size() != 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " printed " + results.size()
                + " result lines, expected 2 (JVM options, dynamic properties):\n" + output);
        }
        return new ResourceParameters(ClusterConfiguration.words(results.get(0)),
            ClusterConfiguration.words(results.get(1)));
    }
}
