package io.eventflow.job.projection;

import java.io.Serializable;

import org.bson.Document;

/**
 * A read model computed from one aggregate's events, in order: a fold {@code apply(state, event)} from an initial
 * state, written to MongoDB as one document per aggregate.
 *
 * <p>Each projection keeps its own keyed state in the job, under a name derived from {@link #name()}, so a job
 * restored from a savepoint carries every projection exactly where it was. Keep the name stable.
 *
 * <pre>{@code
 * public final class CartTotals implements Projection<CartState> {
 *     public String name() { return "cart-totals"; }
 *     public String collection() { return "cart_totals"; }
 *     public Class<CartState> stateType() { return CartState.class; }
 *     public CartState initialState(String aggregateId) { return new CartState(); }
 *     public boolean handles(String eventType) { return eventType.startsWith("Cart"); }
 *     public CartState apply(CartState state, ProjectedEvent event) { ... }
 *     public Document toDocument(CartState state) { return new Document("total", state.total); }
 * }
 * }</pre>
 *
 * @param <S> the state: a Flink POJO (public no-argument constructor, public fields or getters and setters), so that
 *            its serialization is efficient and can evolve
 */
public interface Projection<S> extends Serializable {

    /** Stable name: names the keyed state and appears in metrics and dead letters. */
    String name();

    /** The read-model collection (in {@code readmodel.database}, with {@code readmodel.collection-suffix}). */
    String collection();

    Class<S> stateType();

    /** The state before the aggregate's first handled event. */
    S initialState(String aggregateId);

    /**
     * Whether this projection handles the event type. Events it does not handle are skipped and counted; they still
     * advance an existing read model's {@code lastSequenceNo}.
     */
    default boolean handles(String eventType) {
        return true;
    }

    /**
     * The state after an event. Must be deterministic (a rebuild must give the same result). An exception
     * dead-letters the event for this projection and leaves its state as it was.
     */
    S apply(S state, ProjectedEvent event);

    /**
     * The read-model fields of a state. The job adds {@code _id} (the aggregateId), {@code lastSequenceNo},
     * {@code lastEventId} and {@code updatedAt} (when the last applied event occurred).
     */
    Document toDocument(S state);
}
