package io.eventflow.examples.orders.projections;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.eventflow.examples.orders.OrderCreated;
import io.eventflow.examples.orders.OrderLine;
import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;

/**
 * Units sold per SKU ({@code readmodels.units_sold_per_sku}, one document per SKU): units on shipped orders (sold),
 * on open orders (ordered, not yet shipped or cancelled) and on cancelled ones, and how many orders contained the SKU.
 *
 * <p>One order contributes to the document of every SKU it contains: {@code OrderCreated} names them, the order's later
 * events reach the same documents through {@code keysOfAggregate}. Each document's state keeps the quantities of its
 * open orders, so that a shipment or a cancellation, whose payload does not repeat the lines, moves the right units.
 */
public final class UnitsSoldPerSkuProjection implements CrossAggregateProjection<UnitsSoldPerSkuProjection.State> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "units-sold-per-sku";
    public static final String COLLECTION = "units_sold_per_sku";

    /** The state of one SKU's document (a Flink POJO). */
    public static class State {
        public long orders;
        public long unitsSold;
        public long unitsCancelled;
        /** Open orders containing the SKU and their units, as parallel arrays. */
        public String[] openOrderIds = new String[0];
        public long[] openUnits = new long[0];

        public State() {
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return COLLECTION;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    @Override
    public boolean handles(String eventType) {
        return eventType.equals(Orders.CREATED) || eventType.equals(Orders.SHIPPED) || eventType.equals(Orders.CANCELLED);
    }

    @Override
    public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
        if (event.eventType().equals(Orders.CREATED)) {
            Set<String> skus = new LinkedHashSet<>();
            for (OrderLine line : lines(event)) {
                skus.add(line.sku());
            }
            return skus;
        }
        return keysOfAggregate;
    }

    @Override
    public State initialState(String sku) {
        return new State();
    }

    @Override
    public State apply(State state, ProjectedEvent event, String sku) {
        String orderId = event.aggregateId();
        switch (event.eventType()) {
            case Orders.CREATED -> {
                long units = 0;
                for (OrderLine line : lines(event)) {
                    if (line.sku().equals(sku)) {
                        units += line.quantity();
                    }
                }
                state.orders++;
                state.openOrderIds = Arrays.copyOf(state.openOrderIds, state.openOrderIds.length + 1);
                state.openUnits = Arrays.copyOf(state.openUnits, state.openUnits.length + 1);
                state.openOrderIds[state.openOrderIds.length - 1] = orderId;
                state.openUnits[state.openUnits.length - 1] = units;
            }
            case Orders.SHIPPED -> state.unitsSold += removeOpen(state, orderId);
            case Orders.CANCELLED -> state.unitsCancelled += removeOpen(state, orderId);
            default -> throw new IllegalArgumentException("not handled: " + event.eventType());
        }
        return state;
    }

    @Override
    public Map<String, ?> toDocument(String sku, State state) {
        long open = 0;
        for (long units : state.openUnits) {
            open += units;
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("orders", state.orders);
        document.put("unitsSold", state.unitsSold);
        document.put("unitsOpen", open);
        document.put("unitsCancelled", state.unitsCancelled);
        return document;
    }

    private static java.util.List<OrderLine> lines(ProjectedEvent event) {
        OrderCreated created = event.payloadAs(OrderCreated.class);
        if (created.items() == null) {
            throw new IllegalArgumentException("OrderCreated " + event.eventId() + " has no items");
        }
        return created.items();
    }

    /** Removes the open order; its units, 0 if it was not open. */
    private static long removeOpen(State state, String orderId) {
        for (int i = 0; i < state.openOrderIds.length; i++) {
            if (state.openOrderIds[i].equals(orderId)) {
                long units = state.openUnits[i];
                int last = state.openOrderIds.length - 1;
                state.openOrderIds[i] = state.openOrderIds[last];
                state.openUnits[i] = state.openUnits[last];
                state.openOrderIds = Arrays.copyOf(state.openOrderIds, last);
                state.openUnits = Arrays.copyOf(state.openUnits, last);
                return units;
            }
        }
        return 0;
    }
}
