package io.eventflow.devstack.mongo.oplog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerException;

/**
 * Opens change streams and serves their {@code getMore} and {@code killCursors}.
 *
 * <p>A {@code getMore} without {@code maxTimeMS} waits up to one second for an event, as MongoDB does for awaitData
 * cursors; it waits on the oplog, not in a polling loop. Cursors idle for longer than ten minutes are closed.
 */
public final class ChangeStreams {

    /** MongoDB's default for how long a getMore on a tailable-await cursor waits for data. */
    private static final long DEFAULT_AWAIT_MILLIS = 1000;
    /** MongoDB's default first batch size. */
    private static final int DEFAULT_FIRST_BATCH = 101;
    private static final long IDLE_CURSOR_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final ReplicationLog log;
    private final ChangeEvents events;
    private final ConcurrentMap<Long, ChangeStreamCursor> cursors = new ConcurrentHashMap<>();
    // Far above the ids mongo-java-server hands out for ordinary cursors, so the two never collide.
    private final AtomicLong cursorIds = new AtomicLong(1L << 40);

    public ChangeStreams(ReplicationLog log, BiFunction<String, String, MongoCollection<?>> collectionResolver) {
        this.log = log;
        this.events = new ChangeEvents(collectionResolver);
    }

    /**
     * Opens a stream and returns the aggregate command's reply.
     *
     * @param request     the parsed {@code $changeStream} options
     * @param laterStages the pipeline after {@code $changeStream}, or {@code null}
     * @param cursorSpec  the command's {@code cursor} document
     */
    public Document open(String commandDatabase, ChangeStreamRequest request, Aggregation laterStages,
                         Document cursorSpec) throws InterruptedException {
        ReplicationLog.Head head = log.head();
        OplogPosition start = request.startPosition(head.highWaterMark().bsonTimestamp());
        boolean resumed = request.resumeAfter() != null || request.startAfter() != null || request.startAtOperation() != null;
        long nextSequence = resumed ? log.sequenceAfter(start) : head.nextSequence();
        OplogPosition resumePosition = resumed ? start : head.highWaterMark();

        String namespace = request.scope().cursorNamespace(commandDatabase);
        ChangeStreamCursor cursor = new ChangeStreamCursor(cursorIds.incrementAndGet(), namespace, request,
            laterStages, log, events, nextSequence, resumePosition);

        int batchSize = cursorSpec == null || !cursorSpec.containsKey("batchSize")
            ? DEFAULT_FIRST_BATCH : ((Number) cursorSpec.get("batchSize")).intValue();
        ChangeStreamCursor.Batch batch = batchSize == 0
            ? new ChangeStreamCursor.Batch(List.of(), resumePosition)
            : cursor.next(batchSize, 0);
        long cursorId = cursor.isInvalidated() ? 0 : cursor.id();
        if (cursorId != 0) {
            cursors.put(cursorId, cursor);
        }
        return reply(namespace, "firstBatch", batch, cursorId);
    }

    /** Whether the cursor id belongs to an open change stream. */
    public boolean owns(long cursorId) {
        return cursors.containsKey(cursorId);
    }

    /** Serves {@code getMore} on a change stream cursor. */
    public Document getMore(Document command) throws InterruptedException {
        long cursorId = ((Number) command.get("getMore")).longValue();
        ChangeStreamCursor cursor = cursors.get(cursorId);
        if (cursor == null) {
            throw MongoErrors.cursorNotFound(cursorId);
        }
        int batchSize = ((Number) command.getOrDefault("batchSize", 0)).intValue();
        long awaitMillis = ((Number) command.getOrDefault("maxTimeMS", DEFAULT_AWAIT_MILLIS)).longValue();
        ChangeStreamCursor.Batch batch;
        try {
            batch = cursor.next(batchSize, TimeUnit.MILLISECONDS.toNanos(awaitMillis));
        } catch (MongoServerException e) {
            cursors.remove(cursorId);
            throw e;
        }
        if (cursor.isInvalidated()) {
            cursors.remove(cursorId);
            cursorId = 0;
        }
        return reply(cursor.namespace(), "nextBatch", batch, cursorId);
    }

    /** Kills the change stream cursors among the ids and returns the ids that were not change streams. */
    public List<Long> kill(List<Long> cursorIds, List<Long> killed) {
        List<Long> others = new ArrayList<>();
        for (Long id : cursorIds) {
            if (cursors.remove(id) != null) {
                killed.add(id);
            } else {
                others.add(id);
            }
        }
        return others;
    }

    /** Closes cursors nobody has read for ten minutes, as MongoDB's cursor timeout does. */
    public void closeIdleCursors() {
        cursors.values().removeIf(cursor -> cursor.idleNanos() > IDLE_CURSOR_TIMEOUT_NANOS);
    }

    public int openCursors() {
        return cursors.size();
    }

    private static Document reply(String namespace, String batchField, ChangeStreamCursor.Batch batch, long cursorId) {
        Document cursor = new Document(batchField, batch.events())
            .append("postBatchResumeToken", ResumeToken.toDocument(batch.postBatchResumeToken()))
            .append("id", cursorId)
            .append("ns", namespace);
        Document reply = new Document("cursor", cursor);
        Utils.markOkay(reply);
        return reply;
    }
}
