package io.eventflow.examples.orders.projections;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.eventflow.examples.orders.OrderCreated;
import io.eventflow.examples.orders.OrderLine;
import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;

/**
 * Orders per customer ({@code readmodels.orders_per_customer}, one document per customerId): how many orders the
 * customer placed, how many are open (created or confirmed, not yet shipped or cancelled), shipped and cancelled, and
 * the total spent (the amounts of shipped orders), per currency.
 *
 * <p>Only {@code OrderCreated} names the customer; the order's later events reach the same document because an event
 * without keys of its own contributes to the documents its aggregate contributed to before ({@code keysOfAggregate}).
 * A shipped order's amount is known from its {@code OrderCreated}: the document's state keeps the amounts of the
 * customer's open orders until they ship or are cancelled, so the state stays as small as the open orders.
 */
public final class OrdersPerCustomerProjection implements CrossAggregateProjection<OrdersPerCustomerProjection.State> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "orders-per-customer";
    public static final String COLLECTION = "orders_per_customer";

    /** The state of one customer's document (a Flink POJO: arrays, because a List or Map would fall back to Kryo). */
    public static class State {
        public long orders;
        public long shippedOrders;
        public long cancelledOrders;
        public OpenOrder[] open = new OpenOrder[0];
        public Amount[] spent = new Amount[0];

        public State() {
        }
    }

    /** An open order of the customer and its amount. */
    public static class OpenOrder {
        public String orderId;
        public String currency;
        public BigDecimal amount;

        public OpenOrder() {
        }

        OpenOrder(String orderId, String currency, BigDecimal amount) {
            this.orderId = orderId;
            this.currency = currency;
            this.amount = amount;
        }
    }

    /** An amount in one currency. */
    public static class Amount {
        public String currency;
        public BigDecimal value;

        public Amount() {
        }

        Amount(String currency, BigDecimal value) {
            this.currency = currency;
            this.value = value;
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
        return OrderProjection.HANDLED.contains(eventType);
    }

    @Override
    public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
        if (event.eventType().equals(Orders.CREATED)) {
            String customerId = event.payloadAs(OrderCreated.class).customerId();
            if (customerId == null || customerId.isBlank()) {
                throw new IllegalArgumentException("OrderCreated " + event.eventId() + " names no customerId");
            }
            return List.of(customerId);
        }
        return keysOfAggregate; // the customer its OrderCreated named
    }

    @Override
    public State initialState(String customerId) {
        return new State();
    }

    @Override
    public State apply(State state, ProjectedEvent event, String customerId) {
        String orderId = event.aggregateId();
        switch (event.eventType()) {
            case Orders.CREATED -> {
                OrderCreated created = event.payloadAs(OrderCreated.class);
                BigDecimal amount = created.items().stream().map(OrderLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
                state.orders++;
                state.open = append(state.open, new OpenOrder(orderId, created.currency(), amount));
            }
            case Orders.SHIPPED -> {
                OpenOrder shipped = removeOpen(state, orderId);
                state.shippedOrders++;
                if (shipped != null) {
                    addSpent(state, shipped.currency, shipped.amount);
                }
            }
            case Orders.CANCELLED -> {
                removeOpen(state, orderId);
                state.cancelledOrders++;
            }
            default -> {
                // OrderConfirmed: still open
            }
        }
        return state;
    }

    @Override
    public Map<String, ?> toDocument(String customerId, State state) {
        Map<String, Object> spent = new TreeMap<>();
        for (Amount amount : state.spent) {
            spent.put(amount.currency, amount.value);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("orders", state.orders);
        document.put("openOrders", (long) state.open.length);
        document.put("shippedOrders", state.shippedOrders);
        document.put("cancelledOrders", state.cancelledOrders);
        document.put("totalSpent", spent);
        return document;
    }

    private static OpenOrder removeOpen(State state, String orderId) {
        for (int i = 0; i < state.open.length; i++) {
            if (state.open[i].orderId.equals(orderId)) {
                OpenOrder removed = state.open[i];
                OpenOrder[] rest = new OpenOrder[state.open.length - 1];
                System.arraycopy(state.open, 0, rest, 0, i);
                System.arraycopy(state.open, i + 1, rest, i, rest.length - i);
                state.open = rest;
                return removed;
            }
        }
        return null;
    }

    private static void addSpent(State state, String currency, BigDecimal amount) {
        for (Amount existing : state.spent) {
            if (existing.currency.equals(currency)) {
                existing.value = existing.value.add(amount);
                return;
            }
        }
        state.spent = append(state.spent, new Amount(currency, amount));
    }

    private static <T> T[] append(T[] array, T element) {
        T[] longer = Arrays.copyOf(array, array.length + 1);
        longer[array.length] = element;
        return longer;
    }
}
