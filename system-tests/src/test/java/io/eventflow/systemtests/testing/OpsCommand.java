package io.eventflow.systemtests.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations commands ({@code bin/submit}, ...) as a user runs them: {@code io.eventflow.ops.cli.Ops} in a JVM of
 * its own with the ops module's runtime classpath, as {@code bin/lib/common.sh} starts it. A job jar's main then
 * builds the job graph next to Flink's client only, as under {@code flink run}; in this module's JVM, whose test
 * classpath holds the job and its connectors too, the application jar's child-first class loader and this classpath
 * would each load half of the MongoDB connector (a {@code LinkageError}), a clash no deployment has.
 */
public final class OpsCommand {

    private static final Path OPS = Path.of("..", "ops", "target").toAbsolutePath().normalize();
    private static final Pattern SUBMITTED = Pattern.compile("submitted: job ([0-9a-f]{32})");

    /** What a command printed (standard output and error) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    private OpsCommand() {
    }

    /** Runs {@code ops <arguments>} and waits up to 3 minutes for it. */
    public static Result run(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g", "-XX:+UseParallelGC"));
        // the --add-opens Flink's client needs on Java 17, as this JVM got them
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(argument -> argument.startsWith("--add-opens") || argument.startsWith("--add-exports"))
            .forEach(command::add);
        command.addAll(List.of("-cp", classpath(), "io.eventflow.ops.cli.Ops"));
        command.addAll(arguments);
        try {
            Path output = Files.createTempFile("ops-command-", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
                process.getOutputStream().close();
                if (!process.waitFor(3, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError("ops " + String.join(" ", arguments) + " did not end within 3 minutes: "
                        + Files.readString(output, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ops " + arguments, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running ops " + arguments, e);
        }
    }

    /**
     * {@code bin/submit --flink <flink> --jar <jar> [--savepoint <path>] -- <job arguments>}; returns the new job's id
     * once all its tasks run (the command waits for that), or fails with what the command printed.
     */
    public static String submit(String flink, Path jar, String savepoint, List<String> jobArguments) {
        List<String> arguments = new ArrayList<>(List.of("submit", "--flink", flink, "--jar", jar.toString()));
        if (savepoint != null) {
            arguments.addAll(List.of("--savepoint", savepoint));
        }
        arguments.add("--");
        arguments.addAll(jobArguments);
        Result result = run(arguments);
        Matcher submitted = SUBMITTED.matcher(result.output());
        if (result.exitCode() != 0 || !submitted.find()) {
            throw new AssertionError("bin/submit exited with " + result.exitCode() + ": " + result.output());
        }
        return submitted.group(1);
    }

    /** The ops module's classes and runtime dependencies, as the build wrote them (ops/target/classpath.txt). */
    private static String classpath() {
        Path dependencies = OPS.resolve("classpath.txt");
        if (!Files.isRegularFile(dependencies)) {
            throw new IllegalStateException(dependencies + " is missing: build ops first (mvn -B -DskipTests install)");
        }
        try {
            return OPS.resolve("classes") + ":" + Files.readString(dependencies, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dependencies, e);
        }
    }
}
