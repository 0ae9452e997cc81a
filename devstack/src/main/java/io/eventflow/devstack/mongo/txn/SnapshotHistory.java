package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.eventflow.devstack.mongo.backend.ChangeRecorder;

import de.bwaldvogel.mongo.bson.Document;

/**
 * What open transactions need for snapshot isolation: while any is open, the version of each document from before
 * every committed change, numbered in commit order. A transaction's snapshot is the number at its first statement; it
 * sees a document as it was before the first change numbered after its snapshot, and a change after its snapshot to a
 * document it writes is a write conflict. Changes older than every open snapshot are forgotten.
 */
public final class SnapshotHistory implements ChangeRecorder {

    /** A change: the version of the document before it, or null if the change created the document. */
    private record Change(long number, Object id, Document before) {
    }

    private final Map<String, List<Change>> changes = new HashMap<>();
    private final TreeMap<Long, Integer> openSnapshots = new TreeMap<>();
    private long lastNumber;
    private volatile boolean recording;

    @Override
    public boolean isRecording() {
        return recording;
    }

    @Override
    public synchronized void changed(String namespace, Object id, Document before) {
        if (openSnapshots.isEmpty()) {
            return;
        }
        changes.computeIfAbsent(namespace, ns -> new ArrayList<>()).add(new Change(++lastNumber, id, before));
    }

    /** Opens a snapshot of the current state; every {@code begin} needs its {@link #end}. */
    synchronized long begin() {
        openSnapshots.merge(lastNumber, 1, Integer::sum);
        recording = true;
        return lastNumber;
    }

    synchronized void end(long snapshot) {
        openSnapshots.computeIfPresent(snapshot, (number, count) -> count == 1 ? null : count - 1);
        if (openSnapshots.isEmpty()) {
            recording = false;
            changes.clear();
            return;
        }
        long oldest = openSnapshots.firstKey();
        for (Iterator<List<Change>> lists = changes.values().iterator(); lists.hasNext(); ) {
            List<Change> list = lists.next();
            list.removeIf(change -> change.number() <= oldest);
            if (list.isEmpty()) {
                lists.remove();
            }
        }
    }

    /**
     * The documents of the namespace changed since the snapshot, each with its version as of the snapshot (a null
     * value: the document did not exist then).
     */
    synchronized Map<Object, Document> changedSince(String namespace, long snapshot) {
        List<Change> list = changes.get(namespace);
        if (list == null) {
            return Map.of();
        }
        Map<Object, Document> result = new LinkedHashMap<>();
        for (Change change : list) {
            if (change.number() > snapshot && !result.containsKey(change.id())) {
                result.put(change.id(), change.before() == null ? null : change.before().cloneDeeply());
            }
        }
        return result;
    }
}
