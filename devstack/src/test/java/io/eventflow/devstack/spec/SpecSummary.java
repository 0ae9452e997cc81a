package io.eventflow.devstack.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts per spec: run (applicable), pass, fail (an assertion did not hold), error (an operation failed unexpectedly
 * or the runner could not run it), skipped as not applicable to a 6.0 replica set, and not run because they check a
 * driver feature newer than the runner's driver; written as a Markdown table, with the tests that did not pass.
 */
final class SpecSummary {

    enum Outcome { PASS, FAIL, ERROR, NOT_APPLICABLE, DRIVER_LACKS_FEATURE }

    private static final class Counts {
        int pass;
        int fail;
        int error;
        int notApplicable;
        int driverLacksFeature;

        int run() {
            return pass + fail + error;
        }
    }

    private final String target;
    private final Map<String, Counts> counts = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    SpecSummary(String target) {
        this.target = target;
    }

    synchronized void record(String spec, String testId, Outcome outcome, String detail) {
        record(spec, testId, outcome, detail, null);
    }

    /**
     * @param expectedBecause the reason the test is on the expected-failure list, or null when it is not
     */
    synchronized void record(String spec, String testId, Outcome outcome, String detail, String expectedBecause) {
        Counts tally = counts.computeIfAbsent(spec, s -> new Counts());
        switch (outcome) {
            case PASS -> tally.pass++;
            case FAIL -> tally.fail++;
            case ERROR -> tally.error++;
            case NOT_APPLICABLE -> tally.notApplicable++;
            case DRIVER_LACKS_FEATURE -> tally.driverLacksFeature++;
        }
        if (outcome == Outcome.FAIL || outcome == Outcome.ERROR) {
            String firstLine = detail == null ? "" : detail.lines().findFirst().orElse("");
            problems.add(outcome + " " + testId + " | " + (firstLine.length() > 300 ? firstLine.substring(0, 300) + "..." : firstLine)
                + (expectedBecause == null ? " | NOT ON THE EXPECTED-FAILURE LIST" : " | expected: " + expectedBecause));
        }
    }

    synchronized boolean isEmpty() {
        return counts.isEmpty();
    }

    synchronized String table() {
        StringBuilder text = new StringBuilder("| spec | run | pass | fail | error | pass % | not applicable | needs a newer driver |\n")
            .append("|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Counts> entry : counts.entrySet()) {
            Counts c = entry.getValue();
            text.append("| ").append(entry.getKey()).append(" | ").append(c.run()).append(" | ").append(c.pass)
                .append(" | ").append(c.fail).append(" | ").append(c.error).append(" | ")
                .append(c.run() == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", 100.0 * c.pass / c.run()))
                .append(" | ").append(c.notApplicable).append(" | ").append(c.driverLacksFeature).append(" |\n");
        }
        return text.toString();
    }

    /** Writes the table and the tests that did not pass to {@code target/spec-summary-<target>.md}. */
    synchronized Path write(Path directory) {
        Path file = directory.resolve("spec-summary" + (target.equals("emulator") ? "" : "-" + target) + ".md");
        StringBuilder text = new StringBuilder("# Unified test format: MongoDB specification tests against the ")
            .append(target).append("\n\n").append(table()).append("\n## Not passed\n\n");
        problems.stream().sorted().forEach(problem -> text.append("- ").append(problem).append('\n'));
        try {
            Files.createDirectories(directory);
            Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spec summary " + file, e);
        }
        return file;
    }
}
