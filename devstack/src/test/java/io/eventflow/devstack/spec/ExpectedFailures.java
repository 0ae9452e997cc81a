package io.eventflow.devstack.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tests a target is known not to pass, one per line: {@code <spec>/<file>/<test description> | <reason>}. Blank
 * lines and lines starting with {@code #} are comments. A listed test that fails is reported, not failed; a listed
 * test that passes fails the run, so that the list only ever names what is still broken.
 */
final class ExpectedFailures {

    private static final String SEPARATOR = " | ";

    private final Map<String, String> reasons;

    private ExpectedFailures(Map<String, String> reasons) {
        this.reasons = reasons;
    }

    static ExpectedFailures none() {
        return new ExpectedFailures(Map.of());
    }

    /** The tests listed in all the resources (a test may be listed once only, across them). */
    static ExpectedFailures fromResources(String... resources) {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (String resource : resources) {
            for (Map.Entry<String, String> entry : fromResource(resource).reasons.entrySet()) {
                if (reasons.put(entry.getKey(), entry.getValue()) != null) {
                    throw new RunnerException("'" + entry.getKey() + "' is listed twice, the second time in " + resource);
                }
            }
        }
        return new ExpectedFailures(reasons);
    }

    static ExpectedFailures fromResource(String resource) {
        InputStream stream = ExpectedFailures.class.getResourceAsStream(resource);
        if (stream == null) {
            throw new RunnerException("expected-failure list " + resource + " is not on the test classpath");
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int separator = line.lastIndexOf(SEPARATOR);
                if (separator < 0 || line.substring(separator + SEPARATOR.length()).isBlank()) {
                    throw new RunnerException(resource + " line " + number + ": expected '<test id> | <reason>', was '"
                        + line + "'");
                }
                String id = line.substring(0, separator).trim();
                if (reasons.put(id, line.substring(separator + SEPARATOR.length()).trim()) != null) {
                    throw new RunnerException(resource + " line " + number + ": '" + id + "' is listed twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return new ExpectedFailures(reasons);
    }

    Optional<String> reason(String testId) {
        return Optional.ofNullable(reasons.get(testId));
    }

    Map<String, String> all() {
        return reasons;
    }
}
