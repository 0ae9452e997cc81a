package io.eventflow.devstack.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bin/devstack} and {@code bin/cluster} print before they are ready: {@code name=value} lines (such as
 * {@code mongodb=...}, {@code flink=...}), then {@code ready}.
 */
public final class ScriptOutput {

    private ScriptOutput() {
    }

    /**
     * The lines a script's process printed up to and including {@code ready}, or up to its end, or up to the first
     * line after {@code limit}. Does not close the stream: the process may go on printing.
     */
    public static List<String> readUntilReady(Process process, Duration limit) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
                if (line.equals("ready") || System.nanoTime() > deadline) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the script's output", e);
        }
        return lines;
    }

    /** The {@code name=value} lines among {@code lines}, in order. */
    public static Map<String, String> values(List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }
}
