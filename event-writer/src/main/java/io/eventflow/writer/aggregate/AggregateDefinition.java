package io.eventflow.writer.aggregate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a repository needs to know about one kind of aggregate: its type name, its state at birth, how an event changes
 * the state ({@code evolve}), how a command turns into new events ({@code decide}), which event type names map to which
 * event classes, and how its state is snapshotted. Plain functions: records and sealed interfaces are all it takes.
 *
 * <pre>{@code
 * AggregateDefinition<Order, OrderCommand, OrderEvent> ORDER = AggregateDefinition
 *     .<Order, OrderCommand, OrderEvent>builder("Order")
 *     .initialState(Order::initial)
 *     .evolve(Order::apply)
 *     .decide(Order::decide)
 *     .event("OrderCreated", OrderCreated.class)
 *     .event("OrderConfirmed", OrderConfirmed.class)
 *     .snapshots(Order.class, 1)
 *     .build();
 * }</pre>
 *
 * <p>{@code evolve} and {@code decide} must be pure: {@code evolve} never fails on an event {@code decide} produced,
 * and {@code decide} signals a broken rule by throwing (for example a {@link DomainException}), which appends nothing.
 * Event payloads are written and read by the event store's Jackson mapper, at the current schema version its
 * upcasters define. Immutable.
 *
 * @param <S> the state
 * @param <C> the commands
 * @param <E> the events
 */
public final class AggregateDefinition<S, C, E> {

    private final String aggregateType;
    private final Function<String, S> initialState;
    private final BiFunction<S, E, S> evolve;
    private final BiFunction<S, C, List<? extends E>> decide;
    private final Map<String, Class<? extends E>> classesByType;
    private final Map<Class<?>, String> typesByClass;
    private final Class<S> snapshotStateClass;
    private final int snapshotSchemaVersion;

    private AggregateDefinition(Builder<S, C, E> builder) {
        this.aggregateType = builder.aggregateType;
        this.initialState = builder.initialState;
        this.evolve = builder.evolve;
        this.decide = builder.decide;
        this.classesByType = Map.copyOf(builder.classesByType);
        Map<Class<?>, String> types = new LinkedHashMap<>();
        builder.classesByType.forEach((type, eventClass) -> types.put(eventClass, type));
        this.typesByClass = Map.copyOf(types);
        this.snapshotStateClass = builder.snapshotStateClass;
        this.snapshotSchemaVersion = builder.snapshotSchemaVersion;
    }

    /** @param aggregateType stored in every event's {@code aggregateType}, for example {@code Order} */
    public static <S, C, E> Builder<S, C, E> builder(String aggregateType) {
        return new Builder<>(aggregateType);
    }

    public String aggregateType() {
        return aggregateType;
    }

    /** The state of an aggregate that has no event yet. */
    public S initialState(String aggregateId) {
        return Objects.requireNonNull(initialState.apply(aggregateId),
            () -> aggregateType + "'s initialState returned null for " + aggregateId);
    }

    /** The state after an event. */
    public S evolve(S state, E event) {
        return Objects.requireNonNull(evolve.apply(state, event),
            () -> aggregateType + "'s evolve returned null for " + event);
    }

    /**
     * The events a command produces in a state; none if it changes nothing.
     *
     * @throws IllegalStateException if the definition has no command handler
     */
    public List<? extends E> decide(S state, C command) {
        if (decide == null) {
            throw new IllegalStateException(aggregateType + " has no command handler: set decide(..) on its definition");
        }
        List<? extends E> events = decide.apply(state, command);
        return events == null ? List.of() : events;
    }

    /** The event class stored under an event type name, if this aggregate has one. */
    public Optional<Class<? extends E>> eventClass(String eventType) {
        return Optional.ofNullable(classesByType.get(eventType));
    }

    /**
     * The event type name an event is stored under.
     *
     * @throws IllegalArgumentException naming the class if it was not registered with {@link Builder#event}
     */
    public String eventType(E event) {
        String type = typesByClass.get(event.getClass());
        if (type == null) {
            throw new IllegalArgumentException(event.getClass().getName() + " is not an event of " + aggregateType
                + ": register it with event(name, class) on its definition");
        }
        return type;
    }

    /** Whether states can be snapshotted. */
    public boolean snapshots() {
        return snapshotStateClass != null;
    }

    /** The class snapshots are read as, or {@code null} without snapshots. */
    public Class<S> snapshotStateClass() {
        return snapshotStateClass;
    }

    /** The version of the snapshot format; snapshots with another version are ignored. */
    public int snapshotSchemaVersion() {
        return snapshotSchemaVersion;
    }

    /** Builds an {@link AggregateDefinition}. */
    public static final class Builder<S, C, E> {
        private final String aggregateType;
        private Function<String, S> initialState;
        private BiFunction<S, E, S> evolve;
        private BiFunction<S, C, List<? extends E>> decide;
        private final Map<String, Class<? extends E>> classesByType = new LinkedHashMap<>();
        private Class<S> snapshotStateClass;
        private int snapshotSchemaVersion;

        private Builder(String aggregateType) {
            if (aggregateType == null || aggregateType.isBlank()) {
                throw new IllegalArgumentException("aggregateType must not be null or blank, was " + aggregateType);
            }
            this.aggregateType = aggregateType;
        }

        /** The state of a new aggregate, given its id. */
        public Builder<S, C, E> initialState(Function<String, S> initialState) {
            this.initialState = Objects.requireNonNull(initialState, "initialState");
            return this;
        }

        /** The state after an event: {@code (state, event) -> newState}. */
        public Builder<S, C, E> evolve(BiFunction<S, E, S> evolve) {
            this.evolve = Objects.requireNonNull(evolve, "evolve");
            return this;
        }

        /** The command handler: {@code (state, command) -> events}; throws when the command breaks a rule. */
        public Builder<S, C, E> decide(BiFunction<S, C, List<? extends E>> decide) {
            this.decide = Objects.requireNonNull(decide, "decide");
            return this;
        }

        /** Maps an event type name, as stored, to the class its payload is read as and written from. */
        public Builder<S, C, E> event(String eventType, Class<? extends E> eventClass) {
            if (eventType == null || eventType.isBlank()) {
                throw new IllegalArgumentException("eventType must not be null or blank, was " + eventType);
            }
            Objects.requireNonNull(eventClass, "eventClass");
            if (classesByType.containsValue(eventClass)) {
                throw new IllegalArgumentException(eventClass.getName() + " is already registered as an event of "
                    + aggregateType);
            }
            if (classesByType.putIfAbsent(eventType, eventClass) != null) {
                throw new IllegalArgumentException("event type " + eventType + " is already registered for " + aggregateType);
            }
            return this;
        }

        /**
         * Lets repositories snapshot the state: it is written and read by the store's Jackson mapper as
         * {@code stateClass}. Raise {@code schemaVersion} whenever the state's shape or meaning changes: older
         * snapshots are then ignored and the stream replayed, never read into a wrong state.
         */
        public Builder<S, C, E> snapshots(Class<S> stateClass, int schemaVersion) {
            if (schemaVersion < 1) {
                throw new IllegalArgumentException("snapshot schemaVersion must be 1 or more, was " + schemaVersion);
            }
            this.snapshotStateClass = Objects.requireNonNull(stateClass, "stateClass");
            this.snapshotSchemaVersion = schemaVersion;
            return this;
        }

        /** @throws IllegalStateException naming what is missing */
        public AggregateDefinition<S, C, E> build() {
            if (initialState == null || evolve == null) {
                throw new IllegalStateException("the definition of " + aggregateType + " needs initialState(..) and evolve(..)");
            }
            if (classesByType.isEmpty()) {
                throw new IllegalStateException("the definition of " + aggregateType + " registers no event type");
            }
            return new AggregateDefinition<>(this);
        }
    }
}
