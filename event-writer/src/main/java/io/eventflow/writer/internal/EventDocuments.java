package io.eventflow.writer.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.core.event.EventFields;
import io.eventflow.writer.EventMetadata;
import io.eventflow.writer.NewEvent;
import io.eventflow.writer.RecordedEvent;
import io.eventflow.writer.codec.BsonJson;

/** Maps events to and from the event document (see {@link EventFields}). */
public final class EventDocuments {

    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private final ObjectMapper mapper;

    public EventDocuments(ObjectMapper mapper) {
        this.mapper = BsonJson.writingMapper(mapper);
    }

    /**
     * The payload as a BSON document.
     *
     * @param position the event's position in its append, for the error message
     * @throws IllegalArgumentException naming the event when the payload cannot be serialized or is not an object
     */
    public BsonDocument payload(NewEvent event, int position) {
        if (event.payload() == null) {
            return new BsonDocument();
        }
        JsonNode tree;
        try {
            tree = event.payload() instanceof JsonNode node ? node : mapper.valueToTree(event.payload());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload of event #" + position + " (" + event.eventType()
                + ", eventId " + event.eventId() + ") cannot be serialized: " + rootMessage(e), e);
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException("payload of event #" + position + " (" + event.eventType()
                + ", eventId " + event.eventId() + ") must serialize to a JSON object, was " + tree.getNodeType());
        }
        try {
            return BsonJson.toBson(tree).asDocument();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload of event #" + position + " (" + event.eventType()
                + ", eventId " + event.eventId() + ") cannot be stored: " + e.getMessage(), e);
        }
    }

    /** The complete event document, encoded, ready to insert. */
    public RawBsonDocument encode(String aggregateType, String aggregateId, long sequenceNo, NewEvent event,
                                  BsonDocument payload, String commitId) {
        BsonDocument document = new BsonDocument(EventFields.EVENT_ID, new BsonString(event.eventId()))
            .append(EventFields.AGGREGATE_ID, new BsonString(aggregateId));
        if (aggregateType != null) {
            document.append(EventFields.AGGREGATE_TYPE, new BsonString(aggregateType));
        }
        document.append(EventFields.SEQUENCE_NO, new BsonInt64(sequenceNo))
            .append(EventFields.EVENT_TYPE, new BsonString(event.eventType()))
            .append(EventFields.SCHEMA_VERSION, new BsonInt32(event.schemaVersion()))
            .append(EventFields.OCCURRED_AT, new BsonDateTime(event.occurredAt().toEpochMilli()))
            .append(EventFields.PAYLOAD, payload)
            .append(EventFields.METADATA, metadata(event.metadata()))
            .append(EventFields.COMMIT_ID, new BsonString(commitId));
        return new RawBsonDocument(document, CODEC);
    }

    /** The encoded size in bytes, which MongoDB limits to 16 MiB. */
    public static int size(RawBsonDocument document) {
        return document.getByteBuffer().remaining();
    }

    private BsonDocument metadata(EventMetadata metadata) {
        BsonDocument document = new BsonDocument();
        if (metadata.correlationId() != null) {
            document.append(EventFields.CORRELATION_ID, new BsonString(metadata.correlationId()));
        }
        if (metadata.causationId() != null) {
            document.append(EventFields.CAUSATION_ID, new BsonString(metadata.causationId()));
        }
        if (!metadata.extra().isEmpty()) {
            JsonNode extra;
            try {
                extra = mapper.valueToTree(metadata.extra());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metadata " + metadata.extra().keySet() + " cannot be serialized: "
                    + rootMessage(e), e);
            }
            document.putAll(BsonJson.toBson(extra).asDocument());
        }
        return document;
    }

    /** Reads a stored event document. */
    public RecordedEvent decode(BsonDocument document) {
        BsonDocument metadataDocument = document.getDocument(EventFields.METADATA, new BsonDocument());
        Map<String, Object> extra = new LinkedHashMap<>();
        String correlationId = null;
        String causationId = null;
        for (Map.Entry<String, BsonValue> field : metadataDocument.entrySet()) {
            switch (field.getKey()) {
                case EventFields.CORRELATION_ID -> correlationId = text(field.getValue());
                case EventFields.CAUSATION_ID -> causationId = text(field.getValue());
                default -> extra.put(field.getKey(), mapper.convertValue(BsonJson.toJson(field.getValue()), Object.class));
            }
        }
        BsonValue occurredAt = document.get(EventFields.OCCURRED_AT);
        return new RecordedEvent(
            text(document.get(EventFields.EVENT_ID)),
            text(document.get(EventFields.AGGREGATE_ID)),
            document.containsKey(EventFields.AGGREGATE_TYPE) ? text(document.get(EventFields.AGGREGATE_TYPE)) : null,
            number(document.get(EventFields.SEQUENCE_NO)),
            text(document.get(EventFields.EVENT_TYPE)),
            document.containsKey(EventFields.SCHEMA_VERSION) ? (int) number(document.get(EventFields.SCHEMA_VERSION)) : 1,
            occurredAt != null && occurredAt.isDateTime() ? Instant.ofEpochMilli(occurredAt.asDateTime().getValue()) : null,
            BsonJson.toJson(document.getDocument(EventFields.PAYLOAD, new BsonDocument())),
            new EventMetadata(correlationId, causationId, extra),
            document.containsKey(EventFields.COMMIT_ID) ? text(document.get(EventFields.COMMIT_ID)) : null,
            mapper);
    }

    /**
     * Whether a stored event is the same event as one about to be written: same aggregate, type, schema version and
     * payload. Time, metadata and commit id belong to the attempt, not the event, and are not compared.
     */
    public static boolean sameEvent(BsonDocument stored, BsonDocument candidate) {
        return equal(stored, candidate, EventFields.AGGREGATE_ID)
            && equal(stored, candidate, EventFields.AGGREGATE_TYPE)
            && equal(stored, candidate, EventFields.EVENT_TYPE)
            && number(stored.get(EventFields.SCHEMA_VERSION, new BsonInt32(1)))
            == number(candidate.get(EventFields.SCHEMA_VERSION, new BsonInt32(1)))
            && equal(stored, candidate, EventFields.PAYLOAD);
    }

    private static boolean equal(BsonDocument a, BsonDocument b, String field) {
        return java.util.Objects.equals(a.get(field), b.get(field));
    }

    private static String text(BsonValue value) {
        if (value == null) {
            return null;
        }
        return value.isString() ? value.asString().getValue() : BsonJson.toJson(value).asText();
    }

    private static long number(BsonValue value) {
        if (value == null || !value.isNumber()) {
            throw new IllegalStateException("expected a number, found " + value);
        }
        return value.asNumber().longValue();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
