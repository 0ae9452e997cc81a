package io.eventflow.writer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.eventflow.core.event.EventFields;

/**
 * Metadata stored with an event: correlation and causation ids, and any keys the caller adds (values that Jackson can
 * write: strings, numbers, booleans, lists, maps).
 *
 * @param correlationId ties together everything one request caused, or {@code null}
 * @param causationId   the id of the message or event that caused this one, or {@code null}
 * @param extra         any other keys, never {@code null}
 */
public record EventMetadata(String correlationId, String causationId, Map<String, Object> extra) {

    public static final EventMetadata EMPTY = new EventMetadata(null, null, Map.of());

    public EventMetadata {
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
        for (String key : extra.keySet()) {
            if (key.equals(EventFields.CORRELATION_ID) || key.equals(EventFields.CAUSATION_ID)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is reserved; set it with " + key + "(..)");
            }
        }
    }

    public EventMetadata withCorrelationId(String correlationId) {
        return new EventMetadata(correlationId, causationId, extra);
    }

    public EventMetadata withCausationId(String causationId) {
        return new EventMetadata(correlationId, causationId, extra);
    }

    public EventMetadata with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(extra);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of metadata key " + key));
        return new EventMetadata(correlationId, causationId, copy);
    }
}
