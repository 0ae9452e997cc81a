package io.eventflow.job.readmodel;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.BsonBinaryWriter;
import org.bson.BsonWriter;
import org.bson.codecs.Encoder;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.types.Decimal128;

import com.mongodb.MongoClientSettings;

import io.eventflow.core.readmodel.ReadModelFields;

/**
 * Encodes read-model documents into one reused buffer: {@code _id}, the projection's fields, then the fields the job
 * adds ({@link ReadModelFields}). Not thread-safe: one per operator instance.
 *
 * <p>The common value types are written straight to the {@link BsonWriter}; going through the driver's codec registry
 * for every value cost more than the projections themselves. {@code BigDecimal} becomes Decimal128 (and fails if
 * Decimal128 cannot hold it exactly), {@code Instant} a date, enums and {@code UUID}s strings; other types fall back to
 * the registry. A projection's own {@code _id} or one of the job's fields is refused, and so is a document over
 * {@link #MAX_DOCUMENT_BYTES}: every failure is an {@link IllegalArgumentException} naming the field or the size, which
 * dead-letters the event that produced it.
 */
public final class ReadModelEncoder {

    /**
     * The largest read-model document the job writes: MongoDB's 16 MiB less room for the version-guarded update that
     * carries it.
     */
    public static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024 - 64 * 1024;

    private static final CodecRegistry REGISTRY = MongoClientSettings.getDefaultCodecRegistry();
    private static final EncoderContext CONTEXT = EncoderContext.builder().build();
    private static final Set<String> PER_AGGREGATE_FIELDS = Set.of(ReadModelFields.ID, ReadModelFields.LAST_SEQUENCE_NO,
        ReadModelFields.LAST_EVENT_ID, ReadModelFields.UPDATED_AT);
    private static final Set<String> CROSS_AGGREGATE_FIELDS = Set.of(ReadModelFields.ID, ReadModelFields.EVENT_COUNT,
        ReadModelFields.UPDATED_AT);

    private final ReusableBsonBuffer buffer = new ReusableBsonBuffer(1024);

    /** A per-aggregate read model: {@code _id} = aggregateId, then lastSequenceNo, lastEventId, updatedAt. */
    public byte[] encode(String aggregateId, Map<String, ?> fields, long lastSequenceNo, String lastEventId,
                         long updatedAtMillis) {
        buffer.reset();
        BsonBinaryWriter writer = new BsonBinaryWriter(buffer);
        writeFields(writer, aggregateId, fields, PER_AGGREGATE_FIELDS);
        writer.writeInt64(ReadModelFields.LAST_SEQUENCE_NO, lastSequenceNo);
        writer.writeString(ReadModelFields.LAST_EVENT_ID, lastEventId);
        writer.writeDateTime(ReadModelFields.UPDATED_AT, updatedAtMillis);
        writer.writeEndDocument();
        return bytes();
    }

    /** A cross-aggregate read model: {@code _id} = the document key, then eventCount and updatedAt. */
    public byte[] encodeCrossAggregate(String documentKey, Map<String, ?> fields, long eventCount, long updatedAtMillis) {
        buffer.reset();
        BsonBinaryWriter writer = new BsonBinaryWriter(buffer);
        writeFields(writer, documentKey, fields, CROSS_AGGREGATE_FIELDS);
        writer.writeInt64(ReadModelFields.EVENT_COUNT, eventCount);
        writer.writeDateTime(ReadModelFields.UPDATED_AT, updatedAtMillis);
        writer.writeEndDocument();
        return bytes();
    }

    private byte[] bytes() {
        if (buffer.size() > MAX_DOCUMENT_BYTES) {
            throw new IllegalArgumentException("the read-model document has " + buffer.size() + " bytes, more than the "
                + MAX_DOCUMENT_BYTES + " MongoDB can store in one version-guarded write");
        }
        return buffer.toByteArray();
    }

    private static void writeFields(BsonWriter writer, String id, Map<String, ?> fields, Set<String> reserved) {
        if (fields == null) {
            throw new IllegalArgumentException("toDocument returned null");
        }
        writer.writeStartDocument();
        writer.writeString(ReadModelFields.ID, id);
        for (Map.Entry<String, ?> field : fields.entrySet()) {
            String name = field.getKey();
            if (name == null || reserved.contains(name)) {
                throw new IllegalArgumentException("field '" + name + "' is the job's own: the job writes "
                    + String.join(", ", new java.util.TreeSet<>(reserved)) + " itself; rename the projection's field");
            }
            writer.writeName(name);
            writeValue(writer, name, field.getValue());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void writeValue(BsonWriter writer, String path, Object value) {
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
        } else if (value instanceof BigDecimal decimal) {
            writer.writeDecimal128(decimal128(path, decimal));
        } else if (value instanceof Instant instant) {
            writer.writeDateTime(instant.toEpochMilli());
        } else if (value instanceof Date date) {
            writer.writeDateTime(date.getTime());
        } else if (value instanceof Decimal128 decimal) {
            writer.writeDecimal128(decimal);
        } else if (value instanceof Short || value instanceof Byte) {
            writer.writeInt32(((Number) value).intValue());
        } else if (value instanceof Float number) {
            writer.writeDouble(number);
        } else if (value instanceof BigInteger number) {
            writer.writeDecimal128(decimal128(path, new BigDecimal(number)));
        } else if (value instanceof Enum<?> constant) {
            writer.writeString(constant.name());
        } else if (value instanceof UUID || value instanceof Character) {
            writer.writeString(value.toString());
        } else if (value instanceof Map<?, ?> map) {
            writer.writeStartDocument();
            for (Map.Entry<?, ?> field : map.entrySet()) {
                if (field.getKey() == null) {
                    throw new IllegalArgumentException("field '" + path + "' holds a map with a null key");
                }
                String name = field.getKey().toString();
                writer.writeName(name);
                writeValue(writer, path + "." + name, field.getValue());
            }
            writer.writeEndDocument();
        } else if (value instanceof Collection<?> items) {
            writer.writeStartArray();
            for (Object item : items) {
                writeValue(writer, path + "[]", item);
            }
            writer.writeEndArray();
        } else if (value instanceof Object[] items) {
            writeValue(writer, path, java.util.Arrays.asList(items));
        } else {
            Encoder encoder;
            try {
                encoder = REGISTRY.get(value.getClass());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("field '" + path + "' holds a " + value.getClass().getName()
                    + ", which a read model cannot store: use strings, numbers, booleans, Instant, lists or maps", e);
            }
            encoder.encode(writer, value, CONTEXT);
        }
    }

    private static Decimal128 decimal128(String path, BigDecimal decimal) {
        try {
            return new Decimal128(decimal);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("field '" + path + "' holds " + abbreviate(decimal.toPlainString())
                + ", which Decimal128 cannot hold exactly (" + e.getMessage() + ")", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...(" + text.length() + " digits)";
    }
}
