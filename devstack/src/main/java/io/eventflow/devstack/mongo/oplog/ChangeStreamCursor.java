package io.eventflow.devstack.mongo.oplog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.eventflow.devstack.mongo.backend.LabeledServerError;
import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;

/**
 * An open change stream. It remembers the oplog sequence number where it continues, so each {@code getMore} reads
 * only new entries, and the position of the last entry it examined, which becomes the postBatchResumeToken.
 */
public final class ChangeStreamCursor {

    /** MongoDB's limit for one reply is 16 MiB; stay well below it. */
    private static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;
    private static final int MAX_BATCH_EVENTS = 10_000;
    private static final int READ_CHUNK = 512;

    private final long id;
    private final String namespace;
    private final ChangeStreamRequest request;
    private final Aggregation laterStages;
    private final ReplicationLog log;
    private final ChangeEvents events;

    private long nextSequence;
    private OplogPosition resumePosition;
    private boolean invalidated;
    private volatile long lastUsedNanos = System.nanoTime();

    ChangeStreamCursor(long id, String namespace, ChangeStreamRequest request, Aggregation laterStages,
                       ReplicationLog log, ChangeEvents events, long nextSequence, OplogPosition resumePosition) {
        this.id = id;
        this.namespace = namespace;
        this.request = request;
        this.laterStages = laterStages;
        this.log = log;
        this.events = events;
        this.nextSequence = nextSequence;
        this.resumePosition = resumePosition;
    }

    public long id() {
        return id;
    }

    public String namespace() {
        return namespace;
    }

    public ChangeStreamScope scope() {
        return request.scope();
    }

    /** Whether the stream was ended by an invalidate event; its cursor is then closed. */
    public boolean isInvalidated() {
        return invalidated;
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /**
     * Reads the next batch.
     *
     * @param batchSize  the most events to return; 0 means the server's limit
     * @param awaitNanos how long to wait for a first event when there is none (0 for the initial aggregate)
     */
    public synchronized Batch next(int batchSize, long awaitNanos) throws InterruptedException {
        lastUsedNanos = System.nanoTime();
        int limit = batchSize > 0 ? Math.min(batchSize, MAX_BATCH_EVENTS) : MAX_BATCH_EVENTS;
        long deadline = System.nanoTime() + awaitNanos;
        List<Document> batch = new ArrayList<>();
        int bytes = 0;
        while (!invalidated) {
            ReplicationLog.Batch read = log.read(nextSequence, READ_CHUNK);
            for (OplogEntry entry : read.entries()) {
                nextSequence = entry.sequence() + 1;
                resumePosition = entry.position();
                if (!request.reports(entry)) {
                    continue;
                }
                for (Document event : eventsFor(entry)) {
                    batch.add(event);
                    bytes += entry.bytes();
                }
                if (invalidated || batch.size() >= limit || bytes >= MAX_BATCH_BYTES) {
                    return new Batch(batch, resumePosition);
                }
            }
            if (read.reachedHead()) {
                resumePosition = max(resumePosition, read.highWaterMark());
                if (!batch.isEmpty()) {
                    break;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !log.awaitEntry(nextSequence, remaining, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        }
        lastUsedNanos = System.nanoTime();
        return new Batch(batch, resumePosition);
    }

    private List<Document> eventsFor(OplogEntry entry) {
        List<Document> result = new ArrayList<>(2);
        Document event = events.render(entry, request);
        result.addAll(applyLaterStages(event));
        if (request.scope().isInvalidatedBy(entry)) {
            result.add(events.invalidate(entry));
            invalidated = true;
        }
        return result;
    }

    private List<Document> applyLaterStages(Document event) {
        if (laterStages == null) {
            return List.of(event);
        }
        List<Document> result = laterStages.runStages(Stream.of(event));
        for (Document transformed : result) {
            if (!event.get("_id").equals(transformed.get("_id"))) {
                throw new LabeledServerError(MongoErrors.CHANGE_STREAM_FATAL_ERROR, "ChangeStreamFatalError",
                    "Encountered an event whose _id field, which contains the resume token, was modified by the "
                        + "pipeline. Modifying the _id field of an event makes it impossible to resume the stream from "
                        + "that point. Only transformations that retain the unmodified _id field are allowed.",
                    List.of("NonResumableChangeStreamError"));
            }
        }
        return result;
    }

    private static OplogPosition max(OplogPosition a, OplogPosition b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * One batch of events.
     *
     * @param events              the change events
     * @param postBatchResumeToken where a stream resumed with this token continues
     */
    public record Batch(List<Document> events, OplogPosition postBatchResumeToken) {
    }
}
