package io.eventflow.job.projection;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.Map;

import org.bson.BsonBinaryWriter;
import org.bson.BsonWriter;
import org.bson.Document;
import org.bson.codecs.Encoder;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import com.mongodb.MongoClientSettings;

/**
 * Encodes read-model documents ({@link ReadModelDocuments}) into one reused buffer. Not thread-safe: one per
 * operator instance.
 *
 * <p>The common value types are written straight to the {@link BsonWriter}; going through the driver's codec
 * registry for every value cost more than the projections themselves. Other types fall back to the registry.
 */
public final class ReadModelEncoder {

    private static final CodecRegistry REGISTRY = MongoClientSettings.getDefaultCodecRegistry();
    private static final EncoderContext CONTEXT = EncoderContext.builder().build();

    private final ReusableBsonBuffer buffer = new ReusableBsonBuffer(1024);

    /** The read-model document of an aggregate, as BSON bytes of its own. */
    public byte[] encode(String aggregateId, Document fields, long lastSequenceNo, String lastEventId,
                         long updatedAtMillis) {
        buffer.reset();
        write(new BsonBinaryWriter(buffer), aggregateId, fields, lastSequenceNo, lastEventId, updatedAtMillis);
        return buffer.toByteArray();
    }

    /** Writes the read-model document of an aggregate to any writer. */
    public static void write(BsonWriter writer, String aggregateId, Document fields, long lastSequenceNo,
                             String lastEventId, long updatedAtMillis) {
        writer.writeStartDocument();
        writer.writeString("_id", aggregateId);
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            if (!field.getKey().equals("_id")) {
                writer.writeName(field.getKey());
                writeValue(writer, field.getValue());
            }
        }
        writer.writeInt64(ReadModelDocuments.LAST_SEQUENCE_NO, lastSequenceNo);
        writer.writeString(ReadModelDocuments.LAST_EVENT_ID, lastEventId);
        writer.writeDateTime(ReadModelDocuments.UPDATED_AT, updatedAtMillis);
        writer.writeEndDocument();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void writeValue(BsonWriter writer, Object value) {
        if (value == null) {
            writer.writeNull();
        } else if (value instanceof String text) {
            writer.writeString(text);
        } else if (value instanceof Integer number) {
            writer.writeInt32(number);
        } else if (value instanceof Long number) {
            writer.writeInt64(number);
        } else if (value instanceof Double number) {
            writer.writeDouble(number);
        } else if (value instanceof Boolean flag) {
            writer.writeBoolean(flag);
        } else if (value instanceof Date date) {
            writer.writeDateTime(date.getTime());
        } else if (value instanceof Instant instant) {
            writer.writeDateTime(instant.toEpochMilli());
        } else if (value instanceof Decimal128 decimal) {
            writer.writeDecimal128(decimal);
        } else if (value instanceof BigDecimal decimal) {
            writer.writeDecimal128(new Decimal128(decimal));
        } else if (value instanceof ObjectId id) {
            writer.writeObjectId(id);
        } else if (value instanceof Map<?, ?> map) {
            writer.writeStartDocument();
            for (Map.Entry<?, ?> field : map.entrySet()) {
                writer.writeName(String.valueOf(field.getKey()));
                writeValue(writer, field.getValue());
            }
            writer.writeEndDocument();
        } else if (value instanceof Collection<?> items) {
            writer.writeStartArray();
            for (Object item : items) {
                writeValue(writer, item);
            }
            writer.writeEndArray();
        } else {
            Encoder encoder = REGISTRY.get(value.getClass());
            encoder.encode(writer, value, CONTEXT);
        }
    }
}
