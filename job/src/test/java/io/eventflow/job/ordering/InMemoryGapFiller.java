package io.eventflow.job.ordering;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.source.EventDocumentReader;

/** A gap filler over an in-memory "store", which records every read it serves. Shared through a static registry. */
final class InMemoryGapFiller implements GapFiller {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Map<String, TreeMap<Long, EventDocumentReader.Result>>> STORES = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> READS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> FAILURES = new ConcurrentHashMap<>();

    private final String name;

    InMemoryGapFiller(String name) {
        this.name = name;
        STORES.put(name, new ConcurrentHashMap<>());
        READS.put(name, new CopyOnWriteArrayList<>());
    }

    void store(EventEnvelope event) {
        stream(event.aggregateId).put(event.sequenceNo, new EventDocumentReader.Valid(event));
    }

    void storeInvalid(String aggregateId, long sequenceNo, String reason) {
        stream(aggregateId).put(sequenceNo, new EventDocumentReader.Invalid(reason, aggregateId, sequenceNo, "bad-" + sequenceNo));
    }

    void failNextReads(int times) {
        FAILURES.put(name, times);
    }

    /** The ranges read so far, as "from..to". */
    List<String> reads() {
        return READS.get(name);
    }

    private TreeMap<Long, EventDocumentReader.Result> stream(String aggregateId) {
        return STORES.get(name).computeIfAbsent(aggregateId, id -> new TreeMap<>());
    }

    @Override
    public List<EventDocumentReader.Result> read(String aggregateId, long from, long to, int limit) {
        READS.get(name).add(from + ".." + to);
        int failures = FAILURES.getOrDefault(name, 0);
        if (failures > 0) {
            FAILURES.put(name, failures - 1);
            throw new IllegalStateException("injected read failure");
        }
        return new ArrayList<>(stream(aggregateId).subMap(from, true, to, true).values()).stream().limit(limit).toList();
    }
}
