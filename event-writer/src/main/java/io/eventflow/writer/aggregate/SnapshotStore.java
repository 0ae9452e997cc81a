package io.eventflow.writer.aggregate;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;

/**
 * Reads snapshots, and writes them on a background thread so that saving an aggregate never waits for its snapshot.
 * A write replaces the stored snapshot only with a newer version, so concurrent writers never move it back. When the
 * queue is full, a snapshot is dropped (the next one catches up); a failed write is logged and counted. Snapshots are
 * an optimisation: losing one only makes the next load replay more events.
 */
final class SnapshotStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);

    private final MongoCollection<BsonDocument> collection;
    private final ThreadPoolExecutor writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    SnapshotStore(MongoCollection<BsonDocument> collection, int queueCapacity) {
        this.collection = collection;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
            runnable -> {
                Thread thread = new Thread(runnable, "eventflow-snapshots-" + collection.getNamespace().getCollectionName());
                thread.setDaemon(true);
                return thread;
            },
            (runnable, executor) -> {
                pending.decrementAndGet();
                dropped.incrementAndGet();
            });
    }

    Optional<Snapshot> read(String aggregateId) {
        BsonDocument document = collection.find(eq("_id", aggregateId)).first();
        if (document == null) {
            return Optional.empty();
        }
        return Optional.of(new Snapshot(aggregateId,
            document.isString(Snapshot.AGGREGATE_TYPE) ? document.getString(Snapshot.AGGREGATE_TYPE).getValue() : null,
            document.isNumber(Snapshot.VERSION) ? document.getNumber(Snapshot.VERSION).longValue() : -1,
            document.isString(Snapshot.LAST_EVENT_ID) ? document.getString(Snapshot.LAST_EVENT_ID).getValue() : null,
            document.isNumber(Snapshot.SCHEMA_VERSION) ? document.getNumber(Snapshot.SCHEMA_VERSION).intValue() : -1,
            document.isDocument(Snapshot.STATE) ? document.getDocument(Snapshot.STATE) : null,
            document.isDateTime(Snapshot.TAKEN_AT)
                ? Instant.ofEpochMilli(document.getDateTime(Snapshot.TAKEN_AT).getValue()) : null));
    }

    void writeLater(Snapshot snapshot) {
        pending.incrementAndGet();
        writer.execute(() -> {
            try {
                write(snapshot);
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void write(Snapshot snapshot) {
        BsonDocument document = new BsonDocument("_id", new BsonString(snapshot.aggregateId()))
            .append(Snapshot.AGGREGATE_TYPE, new BsonString(snapshot.aggregateType()))
            .append(Snapshot.VERSION, new BsonInt64(snapshot.version()))
            .append(Snapshot.LAST_EVENT_ID, new BsonString(snapshot.lastEventId()))
            .append(Snapshot.SCHEMA_VERSION, new BsonInt32(snapshot.schemaVersion()))
            .append(Snapshot.STATE, snapshot.state())
            .append(Snapshot.TAKEN_AT, new BsonDateTime(snapshot.takenAt().toEpochMilli()));
        try {
            collection.replaceOne(and(eq("_id", snapshot.aggregateId()), lt(Snapshot.VERSION, snapshot.version())),
                document, new ReplaceOptions().upsert(true));
            written.incrementAndGet();
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                // a snapshot at this version or a newer one is stored already: nothing to do
                return;
            }
            fail(snapshot, e);
        } catch (MongoException | IllegalStateException e) {
            fail(snapshot, e);
        }
    }

    private void fail(Snapshot snapshot, RuntimeException e) {
        failed.incrementAndGet();
        log.warn("snapshot of {} at version {} was not written: {}", snapshot.aggregateId(), snapshot.version(),
            e.getMessage());
    }

    /** Waits until every snapshot queued so far is written (or failed). */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    long written() {
        return written.get();
    }

    long dropped() {
        return dropped.get();
    }

    long failed() {
        return failed.get();
    }

    /** Writes what is queued, for at most ten seconds, then stops the writer thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{} snapshots were still queued at close and are dropped", writer.getQueue().size());
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            writer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
