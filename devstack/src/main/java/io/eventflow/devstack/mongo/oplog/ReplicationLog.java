package io.eventflow.devstack.mongo.oplog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

/**
 * The server's oplog: a bounded, in-memory log of every write, in commit order, from which change streams read.
 *
 * <p>Entries live in a ring buffer indexed by a gap-free sequence number, so a change-stream cursor continues from
 * where it stopped instead of rescanning, and resuming from a token is a binary search. When the log is full the
 * oldest entry is dropped; a resume point older than the oldest retained entry then fails with error 286
 * (ChangeStreamHistoryLost), as it does on MongoDB.
 *
 * <p>Appends take the log's lock after the writer's collection lock, and each append ticks the cluster clock under
 * that lock, so the order of entries, the order of their timestamps and the order of commits are the same.
 * Readers copy entries under the lock and never take a collection lock while holding it.
 */
public final class ReplicationLog implements Oplog {

    private final ClusterClock clock;
    private final BiFunction<String, String, MongoCollection<?>> collectionResolver;
    private final OplogEntry[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();

    private long firstSequence;
    private long nextSequence;
    private OplogPosition lastEvicted;

    /**
     * @param clock              the cluster clock that stamps entries
     * @param capacity           how many entries are retained
     * @param collectionResolver finds a collection by database and name (to read post-images of updates)
     */
    public ReplicationLog(ClusterClock clock, int capacity,
                          BiFunction<String, String, MongoCollection<?>> collectionResolver) {
        if (capacity < 1) {
            throw new IllegalArgumentException("oplog capacity must be at least 1, was " + capacity);
        }
        this.clock = clock;
        this.ring = new OplogEntry[capacity];
        this.collectionResolver = collectionResolver;
    }

    public ClusterClock clock() {
        return clock;
    }

    public int capacity() {
        return ring.length;
    }

    /**
     * Appends operations that become visible together, in order, under one cluster time (a transaction, or a single
     * write when the list has one element).
     *
     * @return the appended entries
     */
    public List<OplogEntry> append(List<OplogEntry> operations, Document lsid, Long txnNumber) {
        if (operations.isEmpty()) {
            return List.of();
        }
        List<OplogEntry> withImages = withImages(operations);
        List<OplogEntry> entries = new ArrayList<>(operations.size());
        lock.lock();
        try {
            BsonTimestamp timestamp = clock.tick();
            var wallTime = clock.wallTime();
            for (int i = 0; i < withImages.size(); i++) {
                OplogEntry entry = withImages.get(i)
                    .sequenced(nextSequence, OplogPosition.of(timestamp, i), wallTime, lsid, txnNumber);
                store(entry);
                entries.add(entry);
            }
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        return entries;
    }

    /**
     * Adds pre- and post-images to the changes of collections that keep them. Called by the writer, which holds the
     * collection's lock, so the current version of the document is the post-image of this change.
     */
    private List<OplogEntry> withImages(List<OplogEntry> operations) {
        List<OplogEntry> result = null;
        for (int i = 0; i < operations.size(); i++) {
            OplogEntry operation = operations.get(i);
            if (!operation.kind().changesADocument()
                || !(collectionResolver.apply(operation.database(), operation.collection()) instanceof DocumentImages images)
                || !images.keepsImages()) {
                continue;
            }
            if (result == null) {
                result = new ArrayList<>(operations);
            }
            Document after = operation.kind() == OperationKind.DELETE ? null : images.currentVersion(operation.documentId());
            result.set(i, operation.withImages(images.takePreImage(operation.documentId()), after));
        }
        return result == null ? operations : result;
    }

    public OplogEntry append(OplogEntry operation) {
        return append(List.of(operation), null, null).get(0);
    }

    private void store(OplogEntry entry) {
        if (nextSequence - firstSequence == ring.length) {
            int oldest = slot(firstSequence);
            lastEvicted = ring[oldest].position();
            ring[oldest] = null;
            firstSequence++;
        }
        ring[slot(nextSequence)] = entry;
        nextSequence++;
    }

    private int slot(long sequence) {
        return (int) (sequence % ring.length);
    }

    /**
     * The sequence number of the first entry strictly after the given position.
     *
     * @throws de.bwaldvogel.mongo.exception.MongoServerError 286 when entries after the position were already dropped
     */
    public long sequenceAfter(OplogPosition position) {
        lock.lock();
        try {
            if (lastEvicted != null && position.compareTo(lastEvicted) < 0) {
                throw MongoErrors.historyLost();
            }
            long low = firstSequence;
            long high = nextSequence;
            while (low < high) {
                long middle = (low + high) >>> 1;
                if (ring[slot(middle)].position().compareTo(position) <= 0) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        } finally {
            lock.unlock();
        }
    }

    /** The current end of the log: where an entry appended next will be, and a position after everything so far. */
    public Head head() {
        lock.lock();
        try {
            return new Head(nextSequence, OplogPosition.highWaterMark(clock.current()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The end of the log at one moment.
     *
     * @param nextSequence  the sequence number of the next entry to be appended
     * @param highWaterMark a position after every entry appended so far
     */
    public record Head(long nextSequence, OplogPosition highWaterMark) {
    }

    /**
     * Copies up to {@code max} entries starting at {@code fromSequence}.
     *
     * @throws de.bwaldvogel.mongo.exception.MongoServerError 286 when {@code fromSequence} was already dropped
     */
    public Batch read(long fromSequence, int max) {
        lock.lock();
        try {
            if (fromSequence < firstSequence) {
                throw MongoErrors.historyLost();
            }
            long end = Math.min(nextSequence, fromSequence + max);
            List<OplogEntry> entries = new ArrayList<>((int) Math.max(0, end - fromSequence));
            for (long sequence = fromSequence; sequence < end; sequence++) {
                entries.add(ring[slot(sequence)]);
            }
            boolean reachedHead = end == nextSequence;
            return new Batch(entries, end, reachedHead, OplogPosition.highWaterMark(clock.current()));
        } finally {
            lock.unlock();
        }
    }

    /** Waits until an entry with the given sequence number exists, or the timeout passes. */
    public boolean awaitEntry(long sequence, long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lock();
        try {
            while (nextSequence <= sequence) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = appended.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Statistics for operators and tests. */
    public io.eventflow.devstack.mongo.OplogStats stats() {
        lock.lock();
        try {
            return new io.eventflow.devstack.mongo.OplogStats(nextSequence - firstSequence, ring.length, nextSequence,
                firstSequence);
        } finally {
            lock.unlock();
        }
    }

    // --- hooks called by mongo-java-server's collections, inside the collection's lock ---

    @Override
    public void handleInsert(String namespace, List<Document> documents) {
        String database = Utils.getDatabaseNameFromFullName(namespace);
        String collection = Utils.getCollectionNameFromFullName(namespace);
        for (Document document : documents) {
            append(OplogEntry.pending(OperationKind.INSERT, database, collection, document.get("_id"),
                document.cloneDeeply(), null, null));
        }
    }

    @Override
    public void handleUpdate(String namespace, Document selector, Document update, List<Object> modifiedIds) {
        String database = Utils.getDatabaseNameFromFullName(namespace);
        String collectionName = Utils.getCollectionNameFromFullName(namespace);
        MongoCollection<?> collection = collectionResolver.apply(database, collectionName);
        for (Object id : modifiedIds) {
            Document postImage = findById(collection, id);
            if (postImage == null) {
                continue;
            }
            if (UpdateDescriptions.isReplacement(update)) {
                append(OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id,
                    postImage.cloneDeeply(), null, null));
            } else {
                append(OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                    UpdateDescriptions.fromOperators(update, postImage), null));
            }
        }
    }

    @Override
    public void handleDelete(String namespace, Document query, List<Object> deletedIds) {
        String database = Utils.getDatabaseNameFromFullName(namespace);
        String collection = Utils.getCollectionNameFromFullName(namespace);
        for (Object id : deletedIds) {
            append(OplogEntry.pending(OperationKind.DELETE, database, collection, id, null, null, null));
        }
    }

    @Override
    public void handleDropCollection(String namespace) {
        append(OplogEntry.pending(OperationKind.DROP, Utils.getDatabaseNameFromFullName(namespace),
            Utils.getCollectionNameFromFullName(namespace), null, null, null, null));
    }

    @Override
    public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
        throw new UnsupportedOperationException("change streams are opened through ChangeStreams, not the library");
    }

    private static Document findById(MongoCollection<?> collection, Object id) {
        if (collection == null) {
            return null;
        }
        for (Document document : collection.handleQuery(new Document("_id", id), 0, 1)) {
            return document;
        }
        return null;
    }

    /**
     * A copy of consecutive entries.
     *
     * @param entries        the entries read
     * @param nextSequence   where the next read continues
     * @param reachedHead    whether the read reached the newest entry
     * @param highWaterMark  a position after everything appended so far (valid when {@code reachedHead})
     */
    public record Batch(List<OplogEntry> entries, long nextSequence, boolean reachedHead, OplogPosition highWaterMark) {
    }
}
