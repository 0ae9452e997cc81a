package io.eventflow.devstack.mongo.wire;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import de.bwaldvogel.mongo.bson.Document;

/**
 * What clients asked the server, by command: how many commands (round trips) and, for writes, how many statements
 * they carried ({@code documents} of an insert, {@code updates} of an update, {@code deletes} of a delete). Benchmarks
 * read it to count write operations and bulk round trips per event.
 */
public final class CommandStats {

    /** One command's counts. */
    public record Counts(long commands, long statements) {
    }

    private final Map<String, LongAdder[]> counts = new ConcurrentHashMap<>();

    void record(String name, Document command) {
        LongAdder[] adders = counts.computeIfAbsent(name, key -> new LongAdder[] {new LongAdder(), new LongAdder()});
        adders[0].increment();
        for (String statements : List.of("documents", "updates", "deletes")) {
            if (command.get(statements) instanceof List<?> list) {
                adders[1].add(list.size());
            }
        }
    }

    /** A copy of the counts so far, by command name. */
    public Map<String, Counts> snapshot() {
        Map<String, Counts> snapshot = new TreeMap<>();
        counts.forEach((name, adders) -> snapshot.put(name, new Counts(adders[0].sum(), adders[1].sum())));
        return snapshot;
    }

    /** Forgets the counts. */
    public void reset() {
        counts.clear();
    }
}
