package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;

import io.eventflow.devstack.cluster.testjob.SequenceJob;

/**
 * What {@link SequenceJob} committed, and the exactly-once check: each range of the sequence (one per source subtask
 * of the job's first start) is a gap-free prefix, each value appears once, and each key's counts are 1..n, each once.
 *
 * @param values     committed values
 * @param duplicates values committed more than once (lines beyond the first)
 * @param gaps       values missing inside a range's prefix
 * @param countErrors keys whose counts are not exactly 1..n
 */
record SequenceOutput(long values, long duplicates, long gaps, List<String> countErrors) {

    /** Reads {@code committed/} of a {@link SequenceJob} output directory. */
    static SequenceOutput read(Path output, int firstParallelism) {
        TreeSet<Long> seen = new TreeSet<>();
        long duplicates = 0;
        Map<Long, List<Long>> countsPerKey = new HashMap<>();
        try (Stream<Path> files = Files.list(output.resolve("committed"))) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] fields = line.split(",");
                    long value = Long.parseLong(fields[0]);
                    if (!seen.add(value)) {
                        duplicates++;
                    }
                    countsPerKey.computeIfAbsent(Long.parseLong(fields[1]), key -> new ArrayList<>())
                        .add(Long.parseLong(fields[2]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output in " + output, e);
        }
        long gaps = 0;
        for (NumberSequenceSplit range : ranges(firstParallelism)) {
            var inRange = seen.subSet(range.from(), true, range.to(), true);
            if (!inRange.isEmpty()) {
                gaps += inRange.last() - range.from() + 1 - inRange.size();
            }
        }
        List<String> countErrors = new ArrayList<>();
        countsPerKey.forEach((key, counts) -> {
            TreeSet<Long> distinct = new TreeSet<>(counts);
            if (distinct.size() != counts.size() || distinct.first() != 1 || distinct.last() != counts.size()) {
                countErrors.add("key " + key + ": " + counts.size() + " counts, " + distinct.size() + " distinct, from "
                    + distinct.first() + " to " + distinct.last());
            }
        });
        return new SequenceOutput(seen.size(), duplicates, gaps, countErrors);
    }

    /** The ranges the source cut the sequence into at the job's first start, as DataGeneratorSource does. */
    static List<NumberSequenceSplit> ranges(int parallelism) {
        return new Ranges().split(parallelism);
    }

    boolean exactlyOnce() {
        return duplicates == 0 && gaps == 0 && countErrors.isEmpty();
    }

    @Override
    public String toString() {
        return values + " values, " + duplicates + " duplicated, " + gaps + " missing"
            + (countErrors.isEmpty() ? "" : ", per-key counts wrong: " + countErrors);
    }

    private static final class Ranges extends NumberSequenceSource {
        Ranges() {
            super(0, SequenceJob.COUNT - 1);
        }

        List<NumberSequenceSplit> split(int parallelism) {
            return splitNumberRange(getFrom(), getTo(), parallelism);
        }
    }
}
