package io.eventflow.job.readmodel;

import java.util.Map;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/**
 * Read-model documents as they move through the job: BSON bytes, with the fields of
 * {@link io.eventflow.core.readmodel.ReadModelFields}.
 */
public final class ReadModelDocuments {

    private ReadModelDocuments() {
    }

    /**
     * The read-model document of an aggregate, as BSON bytes. Operators that encode many documents keep a
     * {@link ReadModelEncoder} instead, which reuses its buffer.
     */
    public static byte[] encode(String aggregateId, Map<String, ?> fields, long lastSequenceNo, String lastEventId,
                                long updatedAtMillis) {
        return new ReadModelEncoder().encode(aggregateId, fields, lastSequenceNo, lastEventId, updatedAtMillis);
    }

    /** A cross-aggregate document, as BSON bytes. */
    public static byte[] encodeCrossAggregate(String documentKey, Map<String, ?> fields, long eventCount,
                                              long updatedAtMillis) {
        return new ReadModelEncoder().encodeCrossAggregate(documentKey, fields, eventCount, updatedAtMillis);
    }

    public static BsonDocument decode(byte[] bytes) {
        return new RawBsonDocument(bytes);
    }
}
