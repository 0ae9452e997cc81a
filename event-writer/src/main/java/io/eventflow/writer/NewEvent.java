package io.eventflow.writer;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to append. Its {@code eventId} and {@code occurredAt} are fixed when it is created, so appending the same
 * {@code NewEvent} again (a retry after a timeout, say) is recognised as the same event and not stored twice.
 *
 * <pre>{@code
 * NewEvent created = NewEvent.of("OrderCreated", new OrderCreated("c-1", items));
 * NewEvent shipped = NewEvent.builder("OrderShipped").payload(new OrderShipped("DHL"))
 *     .correlationId(requestId).build();
 * }</pre>
 *
 * @param eventId       unique across the store; a random UUID unless given
 * @param eventType     required, for example {@code OrderCreated}
 * @param schemaVersion the payload's schema version, 1 unless given
 * @param occurredAt    when it happened; the creation time unless given
 * @param payload       a record, POJO, {@code Map} or Jackson {@code JsonNode}; written as a document by Jackson
 * @param metadata      correlation, causation and other keys
 */
public record NewEvent(String eventId, String eventType, int schemaVersion, Instant occurredAt, Object payload,
                       EventMetadata metadata) {

    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(metadata, "metadata");
    }

    /** An event with a new eventId, schema version 1, no metadata, occurring now. */
    public static NewEvent of(String eventType, Object payload) {
        return builder(eventType).payload(payload).build();
    }

    public static Builder builder(String eventType) {
        return new Builder(eventType);
    }

    /** Builds a {@link NewEvent}. */
    public static final class Builder {
        private final String eventType;
        private String eventId;
        private int schemaVersion = 1;
        private Instant occurredAt;
        private Object payload;
        private EventMetadata metadata = EventMetadata.EMPTY;

        private Builder(String eventType) {
            this.eventType = eventType;
        }

        /** A caller-chosen id, for example derived from a command id, so that retries are idempotent end to end. */
        public Builder eventId(String eventId) {
            this.eventId = Objects.requireNonNull(eventId, "eventId");
            return this;
        }

        public Builder schemaVersion(int schemaVersion) {
            if (schemaVersion < 1) {
                throw new IllegalArgumentException("schemaVersion must be 1 or more, was " + schemaVersion);
            }
            this.schemaVersion = schemaVersion;
            return this;
        }

        public Builder occurredAt(Instant occurredAt) {
            this.occurredAt = Objects.requireNonNull(occurredAt, "occurredAt");
            return this;
        }

        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        public Builder metadata(EventMetadata metadata) {
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.metadata = metadata.withCorrelationId(correlationId);
            return this;
        }

        public Builder causationId(String causationId) {
            this.metadata = metadata.withCausationId(causationId);
            return this;
        }

        public Builder metadata(String key, Object value) {
            this.metadata = metadata.with(key, value);
            return this;
        }

        public NewEvent build() {
            return new NewEvent(eventId != null ? eventId : UUID.randomUUID().toString(), eventType, schemaVersion,
                occurredAt != null ? occurredAt : Instant.now(), payload, metadata);
        }
    }
}
