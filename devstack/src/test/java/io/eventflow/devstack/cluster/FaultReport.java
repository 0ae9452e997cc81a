package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of the process-level scenarios, written as a Markdown table (target/process-faults.md). */
final class FaultReport {

    /** One scenario's figures; a null duration is "n/a". */
    record Row(String scenario, String faults, SequenceOutput output, Duration detection, Duration recovery) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final String heading;

    FaultReport(String heading) {
        this.heading = heading;
    }

    synchronized void add(Row row) {
        rows.add(row);
        System.out.println("[TEST] " + row.scenario() + ": " + row.output() + ", detection " + seconds(row.detection())
            + ", recovery " + seconds(row.recovery()));
    }

    synchronized void write(Path file) {
        List<String> lines = new ArrayList<>();
        lines.add(heading);
        lines.add("");
        lines.add("| scenario | faults | values | lost | duplicated | detection | recovery |");
        lines.add("|---|---|---|---|---|---|---|");
        for (Row row : rows) {
            lines.add("| " + row.scenario() + " | " + row.faults() + " | " + String.format(Locale.ROOT, "%,d", row.output().values())
                + " | " + row.output().gaps() + " | " + row.output().duplicates() + " | " + seconds(row.detection())
                + " | " + seconds(row.recovery()) + " |");
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String seconds(Duration duration) {
        return duration == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
