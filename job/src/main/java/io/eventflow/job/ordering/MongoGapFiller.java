package io.eventflow.job.ordering;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;

import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;

import com.mongodb.ReadConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.core.event.EventFields;

/**
 * Reads missing events from the event collection with read concern majority (only events that cannot be rolled
 * back), through the unique {@code {aggregateId, sequenceNo}} index.
 */
public final class MongoGapFiller implements GapFiller {

    private static final long serialVersionUID = 1L;

    private final MongoConnection connection;
    private final String database;
    private final String collection;
    private final EventDocumentReader reader;
    private transient MongoClient client;
    private transient MongoCollection<BsonDocument> events;

    public MongoGapFiller(MongoConnection connection, String database, String collection, EventDocumentReader reader) {
        this.connection = connection;
        this.database = database;
        this.collection = collection;
        this.reader = reader;
    }

    @Override
    public void open() {
        client = connection.connect("eventflow-gap-filler");
        events = client.getDatabase(database).getCollection(collection, BsonDocument.class)
            .withReadConcern(ReadConcern.MAJORITY);
    }

    @Override
    public List<EventDocumentReader.Result> read(String aggregateId, long from, long to) {
        List<EventDocumentReader.Result> results = new ArrayList<>();
        for (BsonDocument document : events.find(and(eq(EventFields.AGGREGATE_ID, aggregateId),
                gte(EventFields.SEQUENCE_NO, from), lte(EventFields.SEQUENCE_NO, to)))
            .sort(ascending(EventFields.SEQUENCE_NO))) {
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
