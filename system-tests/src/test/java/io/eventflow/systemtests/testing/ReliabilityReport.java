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
 * "Reliability" section quotes them from a run.
 */
public final class ReliabilityReport {

    private static final Path FILE = Path.of("target", "reliability.md");

    private ReliabilityReport() {
    }

    public static synchronized void record(String scenario, long events, String faults, long lost, long duplicated,
                                           Duration recovery) {
        try {
            if (!Files.exists(FILE)) {
                Files.createDirectories(FILE.getParent());
                Files.writeString(FILE, "| scenario | events | faults injected | lost | duplicated | recovery |\n"
                    + "|---|---|---|---|---|---|\n", StandardCharsets.UTF_8);
            }
            String row = String.format("| %s | %,d | %s | %d | %d | %s |%n", scenario, events, faults, lost, duplicated,
                recovery == null ? "n/a" : String.format("%.1f s", recovery.toMillis() / 1000.0));
            Files.writeString(FILE, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FILE, e);
        }
    }
}
