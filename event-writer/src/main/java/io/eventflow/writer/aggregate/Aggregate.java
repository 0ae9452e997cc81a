package io.eventflow.writer.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One aggregate as loaded by an {@link AggregateRepository}: its state, the version it was loaded (or last saved) at,
 * and the events decided since, not yet saved. Not thread-safe: load, decide and save it on one thread.
 *
 * <pre>{@code
 * Aggregate<Order, OrderCommand, OrderEvent> order = orders.load("order-42");
 * order.handle(new ShipOrder("DHL", "T-1001"));   // throws if the order is not confirmed; nothing is recorded
 * orders.save(order);                            // appends with ExpectedVersion.exactly(order.version())
 * }</pre>
 */
public final class Aggregate<S, C, E> {

    private final String id;
    private final AggregateDefinition<S, C, E> definition;
    private final List<E> uncommitted = new ArrayList<>();
    private final long eventsReplayed;
    private final boolean fromSnapshot;
    private S state;
    private long version;

    Aggregate(String id, AggregateDefinition<S, C, E> definition, S state, long version, long eventsReplayed,
              boolean fromSnapshot) {
        this.id = id;
        this.definition = definition;
        this.state = state;
        this.version = version;
        this.eventsReplayed = eventsReplayed;
        this.fromSnapshot = fromSnapshot;
    }

    public String id() {
        return id;
    }

    /** The state, including the uncommitted events. */
    public S state() {
        return state;
    }

    /** The stored version this aggregate is based on: the sequenceNo of its last stored event, 0 if none. */
    public long version() {
        return version;
    }

    /** Whether the aggregate has no stored event and no uncommitted one. */
    public boolean isNew() {
        return version == 0 && uncommitted.isEmpty();
    }

    /** The events decided since the last load or save, in order. */
    public List<E> uncommittedEvents() {
        return List.copyOf(uncommitted);
    }

    /** How many stored events {@code load} replayed: all of them, or only those after the snapshot. */
    public long eventsReplayed() {
        return eventsReplayed;
    }

    /** Whether {@code load} started from a snapshot. */
    public boolean loadedFromSnapshot() {
        return fromSnapshot;
    }

    /**
     * Runs a command through the definition's command handler, applies the resulting events to the state and records
     * them as uncommitted.
     *
     * @return the new events (none if the command changes nothing)
     * @throws RuntimeException whatever the handler throws for a broken rule; state and uncommitted events are unchanged
     */
    public List<? extends E> handle(C command) {
        Objects.requireNonNull(command, "command");
        return execute(current -> definition.decide(current, command));
    }

    /**
     * Like {@link #handle}, with the decision given as a function of the state.
     *
     * @throws RuntimeException whatever the decision throws; state and uncommitted events are unchanged
     */
    public List<? extends E> execute(Function<S, List<? extends E>> decision) {
        List<? extends E> events = decision.apply(state);
        if (events == null || events.isEmpty()) {
            return List.of();
        }
        S next = state;
        for (E event : events) {
            Objects.requireNonNull(event, "a decision returned a null event");
            definition.eventType(event); // fails before anything changes if the event type is not registered
            next = definition.evolve(next, event);
        }
        state = next;
        uncommitted.addAll(events);
        return List.copyOf(events);
    }

    AggregateDefinition<S, C, E> definition() {
        return definition;
    }

    void saved(long newVersion) {
        version = newVersion;
        uncommitted.clear();
    }

    @Override
    public String toString() {
        return definition.aggregateType() + "{" + id + " v" + version + (uncommitted.isEmpty() ? ""
            : " +" + uncommitted.size() + " uncommitted") + ", state=" + state + "}";
    }
}
