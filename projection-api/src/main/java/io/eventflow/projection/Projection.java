package io.eventflow.projection;

import java.io.Serializable;
import java.util.Map;

/**
 * A per-aggregate read model: one document per aggregate, computed by folding that aggregate's events, in
 * sequenceNo order, from an initial state.
 *
 * <pre>{@code
 * public final class CartTotals implements Projection<CartTotals.State> {
 *     public static class State {              // a Flink POJO: public no-arg constructor, public fields
 *         public int items;
 *         public BigDecimal total = BigDecimal.ZERO;
 *     }
 *
 *     public String name() { return "cart-totals"; }
 *     public String collection() { return "cart_totals"; }
 *     public Class<State> stateType() { return State.class; }
 *     public State initialState(String cartId) { return new State(); }
 *     public boolean handles(String eventType) { return eventType.equals("ItemAdded"); }
 *
 *     public State apply(State state, ProjectedEvent event) {
 *         ItemAdded added = event.payloadAs(ItemAdded.class);
 *         state.items += added.quantity();
 *         state.total = state.total.add(added.price().multiply(BigDecimal.valueOf(added.quantity())));
 *         return state;
 *     }
 *
 *     public Map<String, ?> toDocument(State state) {
 *         return Map.of("items", state.items, "total", state.total);
 *     }
 * }
 * }</pre>
 *
 * <p>The job keeps each projection's state per aggregate in Flink's keyed state, named after {@link #name()}, so a job
 * restored from a savepoint carries every projection exactly where it was: keep the name stable. The state type must
 * be one Flink serializes without Kryo (a POJO whose fields are primitives, strings, {@code BigDecimal},
 * {@code Instant}, arrays or other such POJOs; a {@code List} or {@code Map} field makes it fall back to Kryo, which the
 * job refuses at start, naming the field).
 *
 * <p><b>Your code cannot take the job down.</b> Whatever a method throws, for one event, the job dead-letters that
 * event for this projection (with the exception as the reason), leaves the projection's state exactly as it was before
 * the event (a partly changed state is thrown away) and goes on. That covers {@link #handles}, {@link #initialState},
 * {@link #apply}, {@link #toDocument} and the encoding of the document (for example a {@code BigDecimal} that BSON's
 * Decimal128 cannot hold exactly, or a document over MongoDB's 16 MiB). The read model's {@code lastSequenceNo} still
 * moves past a dead-lettered event.
 *
 * <p><b>Deterministic, please.</b> {@code apply} and {@code toDocument} must depend only on their arguments: a rebuild
 * must compute the same documents, and the job recomputes a state by applying events again when it recovers from
 * an exception. They may change the state they are given and return it.
 *
 * @param <S> the state
 */
public interface Projection<S> extends Serializable {

    /** Stable name: names the keyed state and appears in the {@code projections} option, metrics and dead letters. */
    String name();

    /** The read-model collection (in {@code readmodel.database}, with {@code readmodel.collection-suffix}). */
    String collection();

    /** The state's class; see the class comment for what Flink can serialize. */
    Class<S> stateType();

    /** The state before the aggregate's first handled event. */
    S initialState(String aggregateId);

    /**
     * Whether this projection handles the event type. Events it does not handle are skipped and counted; they still
     * move an existing read model's {@code lastSequenceNo}.
     */
    default boolean handles(String eventType) {
        return true;
    }

    /** The state after an event. */
    S apply(S state, ProjectedEvent event);

    /**
     * The read model's fields for a state: strings, numbers ({@code BigDecimal} becomes Decimal128), booleans,
     * {@code Instant} or {@code Date}, lists and nested maps. The job adds {@code _id} (the aggregateId; an {@code _id}
     * of yours is refused), {@code lastSequenceNo}, {@code lastEventId} and {@code updatedAt}.
     */
    Map<String, ?> toDocument(S state);
}
