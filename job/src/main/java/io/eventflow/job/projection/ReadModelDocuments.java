package io.eventflow.job.projection;

import java.util.Date;

import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/** Builds read-model documents and moves them through the job as BSON bytes. */
public final class ReadModelDocuments {

    public static final String LAST_SEQUENCE_NO = "lastSequenceNo";
    public static final String LAST_EVENT_ID = "lastEventId";
    public static final String UPDATED_AT = "updatedAt";

    private static final DocumentCodec CODEC = new DocumentCodec();

    private ReadModelDocuments() {
    }

    /** {@code _id}, the projection's fields, then the version fields the sink's guard relies on. */
    public static Document compose(String aggregateId, Document fields, long lastSequenceNo, String lastEventId,
                                   long updatedAtMillis) {
        Document document = new Document("_id", aggregateId);
        fields.forEach((key, value) -> {
            if (!key.equals("_id")) {
                document.append(key, value);
            }
        });
        return document.append(LAST_SEQUENCE_NO, lastSequenceNo)
            .append(LAST_EVENT_ID, lastEventId)
            .append(UPDATED_AT, new Date(updatedAtMillis));
    }

    public static byte[] encode(Document document) {
        BasicOutputBuffer buffer = new BasicOutputBuffer();
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            CODEC.encode(writer, document, EncoderContext.builder().build());
        }
        return buffer.toByteArray();
    }

    public static BsonDocument decode(byte[] bytes) {
        return new RawBsonDocument(bytes);
    }
}
