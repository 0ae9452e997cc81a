package io.eventflow.job.projection;

import java.io.IOException;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.upcast.Upcasters;

/**
 * An event as projections see it. Its payload is parsed and upcast to the current schema version when a projection
 * first reads it, so a projection that never reads payloads (a counter, say) is not affected by versions it does
 * not know.
 *
 * <p>Use the mapper of {@link #payloadMapper()}: whether a payload is read straight into a type or through the
 * upcasters' tree, amounts keep their scale (12.50 stays 12.50).
 */
public final class ProjectedEvent {

    private final EventEnvelope envelope;
    private final Upcasters upcasters;
    private final ObjectMapper mapper;
    private ObjectNode payload;

    public ProjectedEvent(EventEnvelope envelope, Upcasters upcasters, ObjectMapper mapper) {
        this.envelope = envelope;
        this.upcasters = upcasters;
        this.mapper = mapper;
    }

    /** The event store's mapper, with decimals read as {@code BigDecimal} in trees too. */
    public static ObjectMapper payloadMapper() {
        return EventStore.defaultObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    public String eventId() {
        return envelope.eventId;
    }

    public String aggregateId() {
        return envelope.aggregateId;
    }

    public String aggregateType() {
        return envelope.aggregateType;
    }

    public long sequenceNo() {
        return envelope.sequenceNo;
    }

    public String eventType() {
        return envelope.eventType;
    }

    /** The version as stored. */
    public int storedSchemaVersion() {
        return envelope.schemaVersion;
    }

    public Instant occurredAt() {
        return Instant.ofEpochMilli(envelope.occurredAtMillis);
    }

    /**
     * The payload at the current schema version.
     *
     * @throws UnknownSchemaVersionException if the stored version is newer than the upcasters know
     */
    public JsonNode payload() {
        if (payload == null) {
            if (!upcasters.knows(envelope.eventType, envelope.schemaVersion)) {
                throw new UnknownSchemaVersionException(envelope.eventType, envelope.schemaVersion,
                    upcasters.currentVersion(envelope.eventType));
            }
            JsonNode parsed;
            try {
                parsed = mapper.readTree(envelope.payloadJson);
            } catch (IOException e) {
                throw new IllegalArgumentException("payload of event " + envelope.eventId + " is not JSON: " + e.getMessage(), e);
            }
            if (!(parsed instanceof ObjectNode object)) {
                throw new IllegalArgumentException("payload of event " + envelope.eventId + " is not a JSON object");
            }
            payload = upcasters.upcast(envelope.eventType, envelope.schemaVersion, object);
        }
        return payload;
    }

    /**
     * The payload at the current schema version, as a type.
     *
     * @throws IllegalArgumentException naming the event when it does not map
     */
    public <T> T payloadAs(Class<T> type) {
        if (payload == null && envelope.schemaVersion == upcasters.currentVersion(envelope.eventType)) {
            try {
                return mapper.readValue(envelope.payloadJson, type); // nothing to upcast: no tree needed
            } catch (IOException | RuntimeException e) {
                // the tree path below reports what exactly is wrong
            }
        }
        JsonNode tree = payload();
        try {
            return mapper.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload of " + envelope.eventType + " (event " + envelope.eventId
                + ") cannot be read as " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** A stored schema version newer than the job's upcasters know. */
    public static final class UnknownSchemaVersionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownSchemaVersionException(String eventType, int version, int current) {
            super("schemaVersion " + version + " of " + eventType + " is newer than this job knows (v" + current
                + "); deploy the job with its upcasters first");
        }
    }
}
