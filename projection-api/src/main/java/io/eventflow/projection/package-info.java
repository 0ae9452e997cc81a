/**
 * The projection API: what you implement so that eventflow's job builds your read models, and nothing else (no
 * Flink, no connector, no MongoDB driver, no Kafka).
 *
 * <ul>
 *   <li>{@link io.eventflow.projection.Projection}: a per-aggregate read model, one document per aggregate, folded
 *       from that aggregate's events in order;</li>
 *   <li>{@link io.eventflow.projection.CrossAggregateProjection}: documents that combine many aggregates, each event
 *       routed to the documents it contributes to;</li>
 *   <li>{@link io.eventflow.projection.ProjectedEvent}: the event as both receive it, its payload at the current
 *       schema version;</li>
 *   <li>{@link io.eventflow.projection.ProjectionProvider}: how the job finds them, through
 *       {@link java.util.ServiceLoader};</li>
 *   <li>{@link io.eventflow.projection.testing}: testers that fold events the way the job does, for your unit tests.</li>
 * </ul>
 *
 * <p>A complete project, from one event type to both kinds of read model:
 *
 * <pre>{@code
 * // CartTotals.java: one document per cart
 * public final class CartTotals implements Projection<CartTotals.State> {
 *     public static class State { public long items; public BigDecimal total = BigDecimal.ZERO; }
 *     public record ItemAdded(String sku, int quantity, BigDecimal price) {}
 *
 *     public String name() { return "cart-totals"; }
 *     public String collection() { return "cart_totals"; }
 *     public Class<State> stateType() { return State.class; }
 *     public State initialState(String cartId) { return new State(); }
 *     public boolean handles(String eventType) { return eventType.equals("ItemAdded"); }
 *     public State apply(State state, ProjectedEvent event) {
 *         ItemAdded item = event.payloadAs(ItemAdded.class);
 *         state.items += item.quantity();
 *         state.total = state.total.add(item.price().multiply(BigDecimal.valueOf(item.quantity())));
 *         return state;
 *     }
 *     public Map<String, ?> toDocument(State state) { return Map.of("items", state.items, "total", state.total); }
 * }
 *
 * // UnitsPerSku.java: one document per SKU, fed by every cart
 * public final class UnitsPerSku implements CrossAggregateProjection<UnitsPerSku.State> {
 *     public static class State { public long units; }
 *
 *     public String name() { return "units-per-sku"; }
 *     public String collection() { return "units_per_sku"; }
 *     public Class<State> stateType() { return State.class; }
 *     public boolean handles(String eventType) { return eventType.equals("ItemAdded"); }
 *     public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
 *         return List.of(event.payloadAs(CartTotals.ItemAdded.class).sku());
 *     }
 *     public State initialState(String sku) { return new State(); }
 *     public State apply(State state, ProjectedEvent event, String sku) {
 *         state.units += event.payloadAs(CartTotals.ItemAdded.class).quantity();
 *         return state;
 *     }
 *     public Map<String, ?> toDocument(String sku, State state) { return Map.of("units", state.units); }
 * }
 *
 * // CartProjections.java, named in META-INF/services/io.eventflow.projection.ProjectionProvider
 * public final class CartProjections implements ProjectionProvider {
 *     public List<Projection<?>> projections() { return List.of(new CartTotals()); }
 *     public List<CrossAggregateProjection<?>> crossAggregateProjections() { return List.of(new UnitsPerSku()); }
 * }
 * }</pre>
 *
 * Build it into an application jar with a pom like the Order example's ({@code examples/orders/pom.xml}) and run it
 * with {@code bin/submit --jar your-app.jar}: README.md, "Write your own projection", walks through it.
 */
package io.eventflow.projection;
