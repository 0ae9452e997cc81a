package io.eventflow.writer.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.eventflow.core.event.EventFields;
import io.eventflow.writer.RecordedEvent;

/**
 * Reads a stream in pages: each page is one query on the unique {@code {aggregateId, sequenceNo}} index starting
 * after the last event of the previous page, so no cursor stays open between pages and a large stream is never held
 * in memory whole.
 */
public final class StreamReader {

    private final MongoCollection<BsonDocument> events;
    private final EventDocuments documents;
    private final int pageSize;

    public StreamReader(MongoCollection<BsonDocument> events, EventDocuments documents, int pageSize) {
        this.events = events;
        this.documents = documents;
        this.pageSize = pageSize;
    }

    /** The stream's highest sequenceNo, 0 if there is no stream. */
    public long currentVersion(String aggregateId) {
        BsonDocument head = events.find(eq(EventFields.AGGREGATE_ID, aggregateId))
            .sort(descending(EventFields.SEQUENCE_NO))
            .projection(new BsonDocument(EventFields.SEQUENCE_NO, new org.bson.BsonInt32(1)))
            .limit(1)
            .first();
        return head == null ? 0 : head.get(EventFields.SEQUENCE_NO).asNumber().longValue();
    }

    public Stream<RecordedEvent> forwards(String aggregateId, long fromSequenceNo, long maxCount) {
        return stream(new Pager(aggregateId, fromSequenceNo, maxCount, false, null));
    }

    public Stream<RecordedEvent> backwards(String aggregateId, long fromSequenceNo, long maxCount) {
        return stream(new Pager(aggregateId, fromSequenceNo, maxCount, true, null));
    }

    public Stream<RecordedEvent> until(String aggregateId, Instant until) {
        return stream(new Pager(aggregateId, 1, Long.MAX_VALUE, false, until));
    }

    private static Stream<RecordedEvent> stream(Pager pager) {
        return StreamSupport.stream(pager, false);
    }

    /** Fetches one page at a time as the stream is consumed. */
    private final class Pager extends Spliterators.AbstractSpliterator<RecordedEvent> {
        private final String aggregateId;
        private final boolean backwards;
        private final Instant until;
        private final Deque<RecordedEvent> page = new ArrayDeque<>();
        private long next;
        private long remaining;
        private boolean exhausted;

        Pager(String aggregateId, long from, long maxCount, boolean backwards, Instant until) {
            super(maxCount, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
            this.aggregateId = aggregateId;
            this.next = from;
            this.remaining = maxCount;
            this.backwards = backwards;
            this.until = until;
        }

        @Override
        public boolean tryAdvance(Consumer<? super RecordedEvent> action) {
            if (remaining <= 0) {
                return false;
            }
            if (page.isEmpty() && !exhausted) {
                fetch();
            }
            RecordedEvent event = page.poll();
            if (event == null || (until != null && event.occurredAt() != null && event.occurredAt().isAfter(until))) {
                remaining = 0;
                return false;
            }
            remaining--;
            action.accept(event);
            return true;
        }

        private void fetch() {
            int limit = (int) Math.min(pageSize, remaining);
            var filter = and(eq(EventFields.AGGREGATE_ID, aggregateId),
                backwards ? lte(EventFields.SEQUENCE_NO, next) : gte(EventFields.SEQUENCE_NO, next));
            var sort = backwards ? descending(EventFields.SEQUENCE_NO) : ascending(EventFields.SEQUENCE_NO);
            int fetched = 0;
            for (BsonDocument document : events.find(filter).sort(sort).limit(limit).batchSize(limit)) {
                page.add(documents.decode(document));
                fetched++;
            }
            if (fetched < limit) {
                exhausted = true;
            }
            if (!page.isEmpty()) {
                long last = page.peekLast().sequenceNo();
                next = backwards ? last - 1 : last + 1;
            }
        }
    }
}
