package io.eventflow.job.projection;

import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;

/**
 * Read-model documents as they move through the job: BSON bytes.
 *
 * <p>A read model is written as {@code _id}, the projection's fields, then {@code lastSequenceNo},
 * {@code lastEventId} and {@code updatedAt}.
 */
public final class ReadModelDocuments {

    public static final String LAST_SEQUENCE_NO = "lastSequenceNo";
    public static final String LAST_EVENT_ID = "lastEventId";
    public static final String UPDATED_AT = "updatedAt";

    private ReadModelDocuments() {
    }

    /**
     * The read-model document of an aggregate, as BSON bytes. Operators that encode many documents keep a
     * {@link ReadModelEncoder} instead, which reuses its buffer.
     */
    public static byte[] encode(String aggregateId, Document fields, long lastSequenceNo, String lastEventId,
                                long updatedAtMillis) {
        return new ReadModelEncoder().encode(aggregateId, fields, lastSequenceNo, lastEventId, updatedAtMillis);
    }

    public static BsonDocument decode(byte[] bytes) {
        return new RawBsonDocument(bytes);
    }
}
