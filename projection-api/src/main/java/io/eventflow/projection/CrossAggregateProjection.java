package io.eventflow.projection;

import java.io.Serializable;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * A cross-aggregate (multi-stream) read model: documents that combine the events of many aggregates, such as "units
 * sold per SKU" or "open carts per customer". For each event, {@link #documentKeys} says which documents it
 * contributes to (none, one, or several: an order touches the document of each SKU it contains); the job folds the
 * event into each of those documents' state, in their own keyed state, after per-aggregate ordering.
 *
 * <pre>{@code
 * public final class UnitsSoldPerSku implements CrossAggregateProjection<UnitsSoldPerSku.State> {
 *     public static class State {
 *         public long units;
 *         public long orders;
 *     }
 *
 *     public String name() { return "units-sold-per-sku"; }
 *     public String collection() { return "units_sold_per_sku"; }
 *     public Class<State> stateType() { return State.class; }
 *     public boolean handles(String eventType) { return eventType.equals("OrderCreated"); }
 *
 *     public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
 *         return event.payloadAs(OrderCreated.class).items().stream().map(OrderLine::sku).distinct().toList();
 *     }
 *
 *     public State initialState(String sku) { return new State(); }
 *
 *     public State apply(State state, ProjectedEvent event, String sku) {
 *         for (OrderLine line : event.payloadAs(OrderCreated.class).items()) {
 *             if (line.sku().equals(sku)) {
 *                 state.units += line.quantity();
 *             }
 *         }
 *         state.orders++;
 *         return state;
 *     }
 *
 *     public Map<String, ?> toDocument(String sku, State state) {
 *         return Map.of("units", state.units, "orders", state.orders);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Consistency.</b> Each document is written when the checkpoint that covers its events completes (as Flink's
 * two-phase-commit sinks do), guarded by its {@code eventCount}: after a failure, a restore, a rescale or a rebuild a
 * document never goes back and never counts an event twice, and it only ever shows states the job has checkpointed.
 * Readers see a document at most one checkpoint interval (plus the checkpoint's duration) behind the store. Events of
 * one aggregate are folded in sequenceNo order; events of different aggregates in an order that may differ between
 * a first run and a replay, so {@code apply} must give the same result whatever the order of events of different
 * aggregates (counts, sums, minima, maxima, sets: yes; "the last event wins" across aggregates: no).
 *
 * <p>The same rules as for {@link Projection} apply: a stable name, a state Flink serializes without Kryo,
 * deterministic code, and whatever a method throws dead-letters the event for this projection and leaves every
 * document's state as it was before the event.
 *
 * @param <S> the state of one document
 */
public interface CrossAggregateProjection<S> extends Serializable {

    /** Stable name: names the keyed state and appears in the {@code projections} option, metrics and dead letters. */
    String name();

    /** The read-model collection (in {@code readmodel.database}, with {@code readmodel.collection-suffix}). */
    String collection();

    Class<S> stateType();

    /** Whether this projection looks at the event type at all; events it does not handle are skipped. */
    default boolean handles(String eventType) {
        return true;
    }

    /**
     * The keys ({@code _id}s) of the documents the event contributes to; empty when it contributes to none. Keys
     * repeated in the collection count once.
     *
     * @param keysOfAggregate the keys the aggregate's latest contributing event was routed to (empty before its first):
     *                        events that do not carry the key themselves, such as an order's {@code OrderShipped} in
     *                        a model per customer, return it to reach the same documents
     */
    Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate);

    /** The state of a document before its first event. */
    S initialState(String documentKey);

    /** The document's state after an event that contributes to it. */
    S apply(S state, ProjectedEvent event, String documentKey);

    /**
     * The document's fields for a state (the same value types as {@link Projection#toDocument}). The job adds
     * {@code _id} (the key), {@code eventCount} and {@code updatedAt} (the latest occurrence of its events).
     */
    Map<String, ?> toDocument(String documentKey, S state);
}
