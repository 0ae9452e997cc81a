package io.eventflow.job.ordering;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bson.BsonDocument;

import com.mongodb.ReadConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.eventflow.core.event.EventFields;
import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.source.EventDocumentReader;

/**
 * Reads missing events from the event collection with read concern majority (only events that cannot be rolled
 * back), through the unique {@code {aggregateId, sequenceNo}} index. Each read is bounded: in size by its limit, on
 * the server by {@code maxTimeMS}, and in the driver by its timeouts (see {@link MongoConnection#connectBounded}); so a
 * slow or unreachable store holds up the ordering subtask for at most about three times {@code timeout} per read
 * (server selection, connection, socket read), and the operator retries with backoff.
 */
public final class MongoGapFiller implements GapFiller {

    private static final long serialVersionUID = 1L;
    /** The client's application name, as the server's logs and fail points see it. */
    public static final String APPLICATION_NAME = "eventflow-gap-filler";

    private final MongoConnection connection;
    private final String database;
    private final String collection;
    private final EventDocumentReader reader;
    private final Duration timeout;
    private transient MongoClient client;
    private transient MongoCollection<BsonDocument> events;

    public MongoGapFiller(MongoConnection connection, String database, String collection, EventDocumentReader reader,
                          Duration timeout) {
        this.connection = connection;
        this.database = database;
        this.collection = collection;
        this.reader = reader;
        this.timeout = timeout;
    }

    @Override
    public void open() {
        client = connection.connectBounded(APPLICATION_NAME, timeout);
        events = client.getDatabase(database).getCollection(collection, BsonDocument.class)
            .withReadConcern(ReadConcern.MAJORITY);
    }

    @Override
    public List<EventDocumentReader.Result> read(String aggregateId, long from, long to, int limit) {
        List<EventDocumentReader.Result> results = new ArrayList<>();
        for (BsonDocument document : events.find(and(eq(EventFields.AGGREGATE_ID, aggregateId),
                gte(EventFields.SEQUENCE_NO, from), lte(EventFields.SEQUENCE_NO, to)))
            .sort(ascending(EventFields.SEQUENCE_NO)).limit(limit).batchSize(limit)
            .maxTime(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            results.add(reader.read(document, 0, false));
        }
        return results;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
