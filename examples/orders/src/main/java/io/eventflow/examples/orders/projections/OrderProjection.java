package io.eventflow.examples.orders.projections;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.eventflow.examples.orders.OrderCancelled;
import io.eventflow.examples.orders.OrderCreated;
import io.eventflow.examples.orders.OrderLine;
import io.eventflow.examples.orders.OrderShipped;
import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * The Order read model ({@code readmodels.orders}): status, customer, lines, total and the time of each step.
 * Statuses: CREATED, CONFIRMED, SHIPPED, CANCELLED.
 */
public final class OrderProjection implements Projection<OrderState> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "order";
    public static final String COLLECTION = "orders";

    /** The events that change the read model; notes (OrderNoteAdded) do not. */
    public static final List<String> HANDLED = List.of(Orders.CREATED, Orders.CONFIRMED, Orders.SHIPPED, Orders.CANCELLED);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return COLLECTION;
    }

    @Override
    public Class<OrderState> stateType() {
        return OrderState.class;
    }

    @Override
    public OrderState initialState(String aggregateId) {
        return new OrderState();
    }

    @Override
    public boolean handles(String eventType) {
        return HANDLED.contains(eventType);
    }

    @Override
    public OrderState apply(OrderState state, ProjectedEvent event) {
        long at = event.occurredAtMillis();
        switch (event.eventType()) {
            case Orders.CREATED -> {
                OrderCreated created = event.payloadAs(OrderCreated.class);
                if (created.customerId() == null || created.items() == null) {
                    throw new IllegalArgumentException("OrderCreated needs customerId and items, got customerId "
                        + created.customerId() + " and items " + created.items());
                }
                List<LineState> lines = new ArrayList<>();
                BigDecimal total = BigDecimal.ZERO;
                for (OrderLine line : created.items()) {
                    if (line.unitPrice() == null || line.quantity() < 1) {
                        throw new IllegalArgumentException("OrderCreated line needs a quantity >= 1 and a unitPrice, got "
                            + line);
                    }
                    lines.add(new LineState(line.sku(), line.quantity(), line.unitPrice()));
                    total = total.add(line.amount());
                }
                state.status = "CREATED";
                state.customerId = created.customerId();
                state.currency = created.currency();
                state.items = lines.toArray(LineState[]::new);
                state.totalAmount = total;
                state.createdAt = at;
            }
            case Orders.CONFIRMED -> {
                state.status = "CONFIRMED";
                state.confirmedAt = at;
            }
            case Orders.SHIPPED -> {
                OrderShipped shipped = event.payloadAs(OrderShipped.class);
                state.status = "SHIPPED";
                state.shippedAt = at;
                state.carrier = shipped.carrier();
                state.trackingNumber = shipped.trackingNumber();
            }
            case Orders.CANCELLED -> {
                OrderCancelled cancelled = event.payloadAs(OrderCancelled.class);
                state.status = "CANCELLED";
                state.cancelledAt = at;
                state.cancellationReason = cancelled.reason();
            }
            default -> throw new IllegalArgumentException("not an Order event: " + event.eventType());
        }
        return state;
    }

    @Override
    public Map<String, ?> toDocument(OrderState state) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (LineState line : state.items) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("sku", line.sku);
            item.put("quantity", line.quantity);
            item.put("unitPrice", line.unitPrice);
            items.add(item);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", state.status);
        document.put("customerId", state.customerId);
        document.put("currency", state.currency);
        document.put("items", items);
        document.put("totalAmount", state.totalAmount);
        putTime(document, "createdAt", state.createdAt);
        putTime(document, "confirmedAt", state.confirmedAt);
        putTime(document, "shippedAt", state.shippedAt);
        putTime(document, "cancelledAt", state.cancelledAt);
        if (state.carrier != null) {
            document.put("carrier", state.carrier);
            document.put("trackingNumber", state.trackingNumber);
        }
        if (state.cancellationReason != null) {
            document.put("cancellationReason", state.cancellationReason);
        }
        return document;
    }

    private static void putTime(Map<String, Object> document, String field, long millis) {
        if (millis != 0) {
            document.put(field, Instant.ofEpochMilli(millis));
        }
    }
}
