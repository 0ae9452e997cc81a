package io.eventflow.job.source;

import java.io.Serializable;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import io.eventflow.core.event.EventFields;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.writer.codec.BsonJson;

/**
 * Checks an event document against the writer's contract (see {@link EventFields}) and turns it into an
 * {@link EventEnvelope}. The same rules apply to events from the change stream and to events the ordering operator
 * reads from the store to fill a gap, so both paths accept and reject exactly the same documents.
 */
public final class EventDocumentReader implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;

    /**
     * @param maxRecordBytes events whose Kafka record (key, value and headers) could be larger cannot be published and
     *                       are rejected
     */
    public EventDocumentReader(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The outcome of reading one document. */
    public sealed interface Result permits Valid, Invalid {
    }

    /** A document that follows the contract. */
    public record Valid(EventEnvelope event) implements Result {
    }

    /**
     * A document that does not. {@code aggregateId} and {@code sequenceNo} are set when the document had usable
     * ones, so the event's place in its stream can still be held.
     */
    public record Invalid(String reason, String aggregateId, long sequenceNo, String eventId) implements Result {
        public boolean hasPosition() {
            return aggregateId != null && sequenceNo > 0;
        }
    }

    public Result read(BsonDocument document, long clusterTime, boolean snapshot) {
        BsonValue id = document.get(EventFields.EVENT_ID);
        String eventId = id != null && id.isString() ? id.asString().getValue() : null;
        String aggregateId = nonBlankString(document, EventFields.AGGREGATE_ID);
        Long sequenceNo = positiveInteger(document.get(EventFields.SEQUENCE_NO));

        String problem = null;
        if (eventId == null || eventId.isBlank()) {
            problem = describe(EventFields.EVENT_ID + " (the eventId)", document.get(EventFields.EVENT_ID), "a non-blank string");
        } else if (aggregateId == null) {
            problem = describe(EventFields.AGGREGATE_ID, document.get(EventFields.AGGREGATE_ID), "a non-blank string");
        } else if (sequenceNo == null) {
            problem = describe(EventFields.SEQUENCE_NO, document.get(EventFields.SEQUENCE_NO), "an integer of 1 or more");
        } else if (nonBlankString(document, EventFields.EVENT_TYPE) == null) {
            problem = describe(EventFields.EVENT_TYPE, document.get(EventFields.EVENT_TYPE), "a non-blank string");
        } else if (positiveInteger(document.get(EventFields.SCHEMA_VERSION)) == null
            || positiveInteger(document.get(EventFields.SCHEMA_VERSION)) > Integer.MAX_VALUE) {
            problem = describe(EventFields.SCHEMA_VERSION, document.get(EventFields.SCHEMA_VERSION), "an integer of 1 or more");
        } else if (!has(document, EventFields.OCCURRED_AT, BsonValue::isDateTime)) {
            problem = describe(EventFields.OCCURRED_AT, document.get(EventFields.OCCURRED_AT), "a date");
        } else if (!has(document, EventFields.PAYLOAD, BsonValue::isDocument)) {
            problem = describe(EventFields.PAYLOAD, document.get(EventFields.PAYLOAD), "a document");
        } else if (document.containsKey(EventFields.METADATA) && !document.get(EventFields.METADATA).isDocument()) {
            problem = describe(EventFields.METADATA, document.get(EventFields.METADATA), "a document");
        } else if (document.containsKey(EventFields.AGGREGATE_TYPE) && nonBlankString(document, EventFields.AGGREGATE_TYPE) == null) {
            problem = describe(EventFields.AGGREGATE_TYPE, document.get(EventFields.AGGREGATE_TYPE), "a non-blank string");
        } else if (document.containsKey(EventFields.COMMIT_ID) && !document.get(EventFields.COMMIT_ID).isString()) {
            problem = describe(EventFields.COMMIT_ID, document.get(EventFields.COMMIT_ID), "a string");
        }
        if (problem != null) {
            return new Invalid(problem, aggregateId, sequenceNo == null ? 0 : sequenceNo, eventId);
        }

        EventEnvelope event = new EventEnvelope();
        event.eventId = eventId;
        event.aggregateId = aggregateId;
        event.aggregateType = document.containsKey(EventFields.AGGREGATE_TYPE)
            ? document.getString(EventFields.AGGREGATE_TYPE).getValue() : null;
        event.sequenceNo = sequenceNo;
        event.eventType = document.getString(EventFields.EVENT_TYPE).getValue();
        event.schemaVersion = positiveInteger(document.get(EventFields.SCHEMA_VERSION)).intValue();
        event.occurredAtMillis = document.getDateTime(EventFields.OCCURRED_AT).getValue();
        event.payloadJson = BsonJson.toJson(document.getDocument(EventFields.PAYLOAD)).toString();
        event.metadataJson = BsonJson.toJson(document.getDocument(EventFields.METADATA, new BsonDocument())).toString();
        event.commitId = document.containsKey(EventFields.COMMIT_ID) ? document.getString(EventFields.COMMIT_ID).getValue() : null;
        event.clusterTime = clusterTime;
        event.snapshot = snapshot;
        long size = EventRecordSerializer.recordBytesUpperBound(event);
        if (size > maxRecordBytes) {
            return new Invalid("the event is up to " + size + " bytes as a Kafka record, more than kafka.max-record-bytes ("
                + maxRecordBytes + "): it cannot be published", aggregateId, sequenceNo, eventId);
        }
        return new Valid(event);
    }

    private static boolean has(BsonDocument document, String field, java.util.function.Predicate<BsonValue> type) {
        BsonValue value = document.get(field);
        return value != null && type.test(value);
    }

    private static String nonBlankString(BsonDocument document, String field) {
        BsonValue value = document.get(field);
        return value != null && value.isString() && !value.asString().getValue().isBlank() ? value.asString().getValue() : null;
    }

    private static Long positiveInteger(BsonValue value) {
        if (value == null || !(value.isInt32() || value.isInt64())) {
            return null;
        }
        long number = value.asNumber().longValue();
        return number >= 1 ? number : null;
    }

    private static String describe(String field, BsonValue value, String expected) {
        if (value == null) {
            return "field '" + field + "' is missing; it must be " + expected;
        }
        String shown = value.isString() ? "'" + abbreviate(value.asString().getValue()) + "'"
            : value.isNull() ? "null"
            : value.getBsonType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(value);
        return "field '" + field + "' is " + shown + "; it must be " + expected;
    }

    private static String abbreviate(BsonValue value) {
        return abbreviate(value.isDocument() || value.isArray() ? BsonJson.toJson(value).toString()
            : String.valueOf(BsonJson.toJson(value)));
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? DeadLetters.truncate(text, 77) + "..." : text;
    }
}
