package io.eventflow.projection;

import java.io.IOException;
import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.core.json.EventJson;
import io.eventflow.core.upcast.Upcasters;

/**
 * An event as projections see it: the event document's fields, and its payload lifted to the current schema version.
 * The payload is parsed and upcast when a projection first reads it, so a projection that never reads payloads (a
 * counter, say) is not affected by schema versions it does not know.
 *
 * <p>Payloads are read with {@link EventJson#mapper()}, the conventions the event writer writes them with: amounts keep
 * their scale (12.50 stays 12.50) whether a payload is read into a type or as a tree.
 *
 * <p>In tests, build events with {@link #builder(String)}.
 */
public final class ProjectedEvent {

    private static final ObjectMapper MAPPER = EventJson.mapper();

    private final String eventId;
    private final String aggregateId;
    private final String aggregateType;
    private final long sequenceNo;
    private final String eventType;
    private final int schemaVersion;
    private final long occurredAtMillis;
    private final String payloadJson;
    private final String metadataJson;
    private final String commitId;
    private final Upcasters upcasters;
    private ObjectNode payload;
    private JsonNode metadata;

    /**
     * An event of the store. The job builds one per event and projection pass; tests use {@link #builder(String)}.
     *
     * @param payloadJson  the stored payload as JSON, at {@code schemaVersion}
     * @param metadataJson the stored metadata as JSON, or null
     * @param upcasters    the schema history the payload is lifted through
     */
    public ProjectedEvent(String eventId, String aggregateId, String aggregateType, long sequenceNo, String eventType,
                          int schemaVersion, long occurredAtMillis, String payloadJson, String metadataJson,
                          String commitId, Upcasters upcasters) {
        this.eventId = eventId;
        this.aggregateId = aggregateId;
        this.aggregateType = aggregateType;
        this.sequenceNo = sequenceNo;
        this.eventType = eventType;
        this.schemaVersion = schemaVersion;
        this.occurredAtMillis = occurredAtMillis;
        this.payloadJson = payloadJson;
        this.metadataJson = metadataJson;
        this.commitId = commitId;
        this.upcasters = upcasters;
    }

    public static Builder builder(String eventType) {
        return new Builder(eventType);
    }

    public String eventId() {
        return eventId;
    }

    public String aggregateId() {
        return aggregateId;
    }

    /** The aggregate's type, for example {@code Order}; may be null (the writer makes it optional). */
    public String aggregateType() {
        return aggregateType;
    }

    public long sequenceNo() {
        return sequenceNo;
    }

    public String eventType() {
        return eventType;
    }

    /** The schema version as stored. The payload a projection reads is at the current version. */
    public int storedSchemaVersion() {
        return schemaVersion;
    }

    public Instant occurredAt() {
        return Instant.ofEpochMilli(occurredAtMillis);
    }

    public long occurredAtMillis() {
        return occurredAtMillis;
    }

    /** Shared by all the events of one append. */
    public String commitId() {
        return commitId;
    }

    /**
     * The payload at the current schema version, as a tree of your own: the projections of a job share the event, so
     * each call returns a copy that you may change freely.
     *
     * @throws UnknownSchemaVersionException if the stored version is newer than the upcasters know
     * @throws IllegalArgumentException      naming the event if the payload is not a JSON object or an upcaster fails
     */
    public JsonNode payload() {
        if (payload == null) {
            if (!upcasters.knows(eventType, schemaVersion)) {
                throw new UnknownSchemaVersionException(eventType, schemaVersion, upcasters.currentVersion(eventType));
            }
            JsonNode parsed;
            try {
                parsed = MAPPER.readTree(payloadJson);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("payload of " + eventType + " (event " + eventId + ") is not JSON: "
                    + e.getOriginalMessage(), e);
            }
            if (!(parsed instanceof ObjectNode object)) {
                throw new IllegalArgumentException("payload of " + eventType + " (event " + eventId
                    + ") is not a JSON object");
            }
            payload = upcasters.upcast(eventType, schemaVersion, object);
        }
        return payload.deepCopy();
    }

    /**
     * The payload at the current schema version, as a type.
     *
     * @throws UnknownSchemaVersionException if the stored version is newer than the upcasters know
     * @throws IllegalArgumentException      naming the event and the type when the payload does not map
     */
    public <T> T payloadAs(Class<T> type) {
        if (payload == null && schemaVersion == upcasters.currentVersion(eventType)) {
            try {
                return MAPPER.readValue(payloadJson, type); // nothing to upcast: no tree needed
            } catch (IOException | RuntimeException e) {
                // the tree path below reports what exactly is wrong
            }
        }
        payload();
        JsonNode tree = payload;
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("payload of " + eventType + " (event " + eventId + ") cannot be read as "
                + type.getSimpleName() + ": " + reason, e);
        }
    }

    /**
     * The metadata ({@code correlationId}, {@code causationId} and the writer's own keys); an empty object if none. A
     * copy of your own, like {@link #payload()}.
     */
    public JsonNode metadata() {
        if (metadata == null) {
            try {
                metadata = metadataJson == null ? MAPPER.createObjectNode() : MAPPER.readTree(metadataJson);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("metadata of event " + eventId + " is not JSON: "
                    + e.getOriginalMessage(), e);
            }
        }
        return metadata.deepCopy();
    }

    @Override
    public String toString() {
        return eventType + " v" + schemaVersion + " " + aggregateId + "#" + sequenceNo + " (event " + eventId + ")";
    }

    /** Builds events for tests of projections. */
    public static final class Builder {
        private final String eventType;
        private String eventId;
        private String aggregateId = "aggregate-1";
        private String aggregateType;
        private long sequenceNo = 1;
        private int schemaVersion = 1;
        private Instant occurredAt = Instant.EPOCH;
        private String payloadJson = "{}";
        private String metadataJson;
        private String commitId;
        private Upcasters upcasters = Upcasters.NONE;

        private Builder(String eventType) {
            this.eventType = Objects.requireNonNull(eventType, "eventType");
        }

        public Builder eventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder aggregate(String aggregateType, String aggregateId) {
            this.aggregateType = aggregateType;
            this.aggregateId = Objects.requireNonNull(aggregateId, "aggregateId");
            return this;
        }

        public Builder sequenceNo(long sequenceNo) {
            this.sequenceNo = sequenceNo;
            return this;
        }

        public Builder schemaVersion(int schemaVersion) {
            this.schemaVersion = schemaVersion;
            return this;
        }

        public Builder occurredAt(Instant occurredAt) {
            this.occurredAt = Objects.requireNonNull(occurredAt, "occurredAt");
            return this;
        }

        /** The payload as it would be stored: JSON text, or any object the writer's mapper writes (a record, a map). */
        public Builder payload(Object payload) {
            Objects.requireNonNull(payload, "payload");
            try {
                this.payloadJson = payload instanceof String text ? text : MAPPER.writeValueAsString(payload);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("payload " + payload + " cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
            }
            return this;
        }

        public Builder metadataJson(String metadataJson) {
            this.metadataJson = metadataJson;
            return this;
        }

        public Builder commitId(String commitId) {
            this.commitId = commitId;
            return this;
        }

        public Builder upcasters(Upcasters upcasters) {
            this.upcasters = Objects.requireNonNull(upcasters, "upcasters");
            return this;
        }

        public ProjectedEvent build() {
            String id = eventId != null ? eventId : aggregateId + "-" + sequenceNo;
            return new ProjectedEvent(id, aggregateId, aggregateType, sequenceNo, eventType, schemaVersion,
                occurredAt.toEpochMilli(), payloadJson, metadataJson, commitId, upcasters);
        }
    }
}
