package io.eventflow.systemtests.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The fault suite's figures, one table row per scenario, appended to {@code target/reliability.md}; the README's
 * "Reliability" section quotes them from a run. Recovery is measured from the last fault; detection, for faults
 * Flink has to notice (processes killed or hung), from the fault until the JobManager recorded the failure.
 */
public final class ReliabilityReport {

    private static final Path FILE = Path.of("target", "reliability.md");

    private ReliabilityReport() {
    }

    /** A row of a scenario that injects its faults directly: no detection to measure. */
    public static void record(String scenario, long events, String faults, long lost, long duplicated, Duration recovery) {
        record(scenario, events, faults, lost, duplicated, null, recovery);
    }

    /**
     * A row; {@code detection} is the time from a fault until Flink noticed it (a lost or hung process), null where
     * there is nothing to detect.
     */
    public static synchronized void record(String scenario, long events, String faults, long lost, long duplicated,
                                           Duration detection, Duration recovery) {
        try {
            if (!Files.exists(FILE)) {
                Files.createDirectories(FILE.getParent());
                Files.writeString(FILE, "| scenario | events | faults injected | lost | duplicated | detection | recovery |\n"
                    + "|---|---|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            String row = String.format("| %s | %,d | %s | %d | %d | %s | %s |%n", scenario, events, faults, lost, duplicated,
                seconds(detection), seconds(recovery));
            Files.writeString(FILE, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FILE, e);
        }
    }

    /** {@code 12.3 s}, or {@code n/a} for null. */
    public static String seconds(Duration duration) {
        return duration == null ? "n/a" : String.format("%.1f s", duration.toMillis() / 1000.0);
    }
}
