package io.eventflow.core.upcast;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The schema history of event payloads: for each event type, the upcasters that lift a payload from version n to
 * n + 1, and so the type's current version. Upcasting happens on read; stored events are never rewritten.
 *
 * <pre>{@code
 * Upcasters upcasters = Upcasters.builder()
 *     .register("OrderCreated", 1, payload -> payload.put("currency", "EUR"))       // v1 -> v2
 *     .register("OrderCreated", 2, payload -> renameField(payload, "qty", "quantity")) // v2 -> v3
 *     .build();
 * upcasters.currentVersion("OrderCreated");  // 3
 * }</pre>
 *
 * An event type without upcasters has current version 1. Immutable and serializable.
 */
public final class Upcasters implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final Upcasters NONE = builder().build();

    private final Map<String, Map<Integer, PayloadUpcaster>> steps;
    private final Map<String, Integer> currentVersions;

    private Upcasters(Map<String, Map<Integer, PayloadUpcaster>> steps) {
        this.steps = Map.copyOf(steps);
        Map<String, Integer> current = new HashMap<>();
        steps.forEach((type, byVersion) -> current.put(type,
            byVersion.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1));
        this.currentVersions = Map.copyOf(current);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The newest schema version of an event type that this history knows (1 if it has no upcasters). */
    public int currentVersion(String eventType) {
        return currentVersions.getOrDefault(eventType, 1);
    }

    /** The event types this history has upcasters for. */
    public Set<String> eventTypes() {
        return steps.keySet();
    }

    /** Whether this history has upcasters for an event type, that is, whether the type has more than one version. */
    public boolean covers(String eventType) {
        return steps.containsKey(eventType);
    }

    /** Whether a stored version can be read: it is not newer than the current one. */
    public boolean knows(String eventType, int schemaVersion) {
        return schemaVersion >= 1 && schemaVersion <= currentVersion(eventType);
    }

    /**
     * Lifts a payload to the current version.
     *
     * @param payload a private copy the upcasters may change
     * @return the payload at {@link #currentVersion(String)}
     * @throws IllegalArgumentException if the version is newer than the current one, or an upcaster fails
     */
    public ObjectNode upcast(String eventType, int schemaVersion, ObjectNode payload) {
        if (!knows(eventType, schemaVersion)) {
            throw new IllegalArgumentException("schemaVersion " + schemaVersion + " of " + eventType
                + " is unknown: the newest this code knows is " + currentVersion(eventType));
        }
        ObjectNode current = payload;
        for (int version = schemaVersion; version < currentVersion(eventType); version++) {
            PayloadUpcaster step = steps.get(eventType).get(version);
            try {
                current = Objects.requireNonNull(step.upcast(current), "the upcaster returned null");
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("upcasting " + eventType + " from v" + version + " to v" + (version + 1)
                    + " failed: " + e.getMessage(), e);
            }
        }
        return current;
    }

    /** Builds {@link Upcasters}. */
    public static final class Builder {
        private final Map<String, Map<Integer, PayloadUpcaster>> steps = new HashMap<>();

        private Builder() {
        }

        /** Registers the step from {@code fromVersion} to {@code fromVersion + 1}. */
        public Builder register(String eventType, int fromVersion, PayloadUpcaster upcaster) {
            return register(eventType, fromVersion, fromVersion + 1, upcaster);
        }

        /**
         * Registers the step {@code fromVersion -> toVersion}; {@code toVersion} must be {@code fromVersion + 1}, so
         * that every version has exactly one way forward.
         */
        public Builder register(String eventType, int fromVersion, int toVersion, PayloadUpcaster upcaster) {
            if (eventType == null || eventType.isBlank()) {
                throw new IllegalArgumentException("eventType must not be null or blank, was " + eventType);
            }
            if (fromVersion < 1 || toVersion != fromVersion + 1) {
                throw new IllegalArgumentException("an upcaster of " + eventType + " must go from a version n >= 1 to "
                    + "n + 1, was " + fromVersion + " -> " + toVersion);
            }
            Objects.requireNonNull(upcaster, "upcaster");
            PayloadUpcaster previous = steps.computeIfAbsent(eventType, type -> new HashMap<>()).putIfAbsent(fromVersion, upcaster);
            if (previous != null) {
                throw new IllegalArgumentException("an upcaster of " + eventType + " from v" + fromVersion + " is already registered");
            }
            return this;
        }

        /**
         * Registers every step of another history, for example to run the projections of several providers with one
         * history.
         *
         * @throws IllegalArgumentException if both register a step from the same version of the same event type
         */
        public Builder include(Upcasters other) {
            other.steps.forEach((type, byVersion) -> byVersion.forEach((version, step) -> register(type, version, step)));
            return this;
        }

        /**
         * @throws IllegalStateException if an event type's versions have a hole (v1 -> v2 and v3 -> v4 but no v2 -> v3)
         */
        public Upcasters build() {
            steps.forEach((type, byVersion) -> {
                int highest = byVersion.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
                for (int version = 1; version <= highest; version++) {
                    if (!byVersion.containsKey(version)) {
                        throw new IllegalStateException("upcasters of " + type + " have no step from v" + version
                            + " to v" + (version + 1));
                    }
                }
            });
            return new Upcasters(steps);
        }
    }
}
