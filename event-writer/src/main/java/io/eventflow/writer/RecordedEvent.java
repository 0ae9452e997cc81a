package io.eventflow.writer;

import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An event as stored. Immutable; equal when all stored fields are equal. The payload is available as a Jackson tree
 * or, through the store's {@code ObjectMapper}, as a typed object.
 */
public final class RecordedEvent {

    private final String eventId;
    private final String aggregateId;
    private final String aggregateType;
    private final long sequenceNo;
    private final String eventType;
    private final int schemaVersion;
    private final Instant occurredAt;
    private final JsonNode payload;
    private final EventMetadata metadata;
    private final String commitId;
    private final ObjectMapper mapper;

    public RecordedEvent(String eventId, String aggregateId, String aggregateType, long sequenceNo, String eventType,
                         int schemaVersion, Instant occurredAt, JsonNode payload, EventMetadata metadata,
                         String commitId, ObjectMapper mapper) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.aggregateId = Objects.requireNonNull(aggregateId, "aggregateId");
        this.aggregateType = aggregateType;
        this.sequenceNo = sequenceNo;
        this.eventType = Objects.requireNonNull(eventType, "eventType");
        this.schemaVersion = schemaVersion;
        this.occurredAt = occurredAt;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.commitId = commitId;
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    public String eventId() {
        return eventId;
    }

    public String aggregateId() {
        return aggregateId;
    }

    /** The aggregate type, or {@code null} if the append did not name one. */
    public String aggregateType() {
        return aggregateType;
    }

    public long sequenceNo() {
        return sequenceNo;
    }

    public String eventType() {
        return eventType;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public Instant occurredAt() {
        return occurredAt;
    }

    /** The payload as a Jackson tree (a copy: changing it changes nothing stored). */
    public JsonNode payload() {
        return payload.deepCopy();
    }

    /**
     * The payload mapped to a type by the store's {@code ObjectMapper}.
     *
     * @throws IllegalArgumentException naming the event and type when the payload does not map
     */
    public <T> T payloadAs(Class<T> type) {
        try {
            return mapper.treeToValue(payload, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload of event " + eventId + " (" + eventType + " v" + schemaVersion
                + ") cannot be read as " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public EventMetadata metadata() {
        return metadata;
    }

    /** Shared by all the events written by one append. */
    public String commitId() {
        return commitId;
    }

    /** A copy with another type, version and payload; used by upcasters, which never change what is stored. */
    public RecordedEvent withSchema(String newEventType, int newSchemaVersion, JsonNode newPayload) {
        return new RecordedEvent(eventId, aggregateId, aggregateType, sequenceNo, newEventType, newSchemaVersion,
            occurredAt, newPayload, metadata, commitId, mapper);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof RecordedEvent that)) {
            return false;
        }
        return sequenceNo == that.sequenceNo && schemaVersion == that.schemaVersion && eventId.equals(that.eventId)
            && aggregateId.equals(that.aggregateId) && Objects.equals(aggregateType, that.aggregateType)
            && eventType.equals(that.eventType) && Objects.equals(occurredAt, that.occurredAt)
            && payload.equals(that.payload) && metadata.equals(that.metadata) && Objects.equals(commitId, that.commitId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, aggregateId, sequenceNo, eventType);
    }

    @Override
    public String toString() {
        return "RecordedEvent{" + aggregateId + "#" + sequenceNo + " " + eventType + " v" + schemaVersion
            + ", eventId=" + eventId + ", occurredAt=" + occurredAt + ", payload=" + payload + "}";
    }
}
