package io.eventflow.job.projection.order;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bson.Document;
import org.bson.types.Decimal128;

import io.eventflow.job.projection.ProjectedEvent;
import io.eventflow.job.projection.Projection;
import io.eventflow.writer.example.order.OrderCancelled;
import io.eventflow.writer.example.order.OrderCreated;
import io.eventflow.writer.example.order.OrderShipped;
import io.eventflow.writer.example.order.Orders;

/**
 * The Order read model ({@code readmodels.orders}): status, customer, lines, total and the time of each step.
 * Statuses: CREATED, CONFIRMED, SHIPPED, CANCELLED.
 */
public final class OrderProjection implements Projection<OrderState> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "order";

    /** The events that change the read model; notes (OrderNoteAdded) do not. */
    public static final List<String> HANDLED = List.of(Orders.CREATED, Orders.CONFIRMED, Orders.SHIPPED, Orders.CANCELLED);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return "orders";
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
        long at = event.occurredAt().toEpochMilli();
        switch (event.eventType()) {
            case Orders.CREATED -> {
                OrderCreated created = event.payloadAs(OrderCreated.class);
                if (created.customerId() == null || created.items() == null) {
                    throw new IllegalArgumentException("OrderCreated needs customerId and items, got " + event.payload());
                }
                List<OrderLine> lines = new ArrayList<>();
                BigDecimal total = BigDecimal.ZERO;
                for (var line : created.items()) {
                    if (line.unitPrice() == null || line.quantity() < 1) {
                        throw new IllegalArgumentException("OrderCreated line needs a quantity >= 1 and a unitPrice, got " + line);
                    }
                    lines.add(new OrderLine(line.sku(), line.quantity(), line.unitPrice()));
                    total = total.add(line.unitPrice().multiply(BigDecimal.valueOf(line.quantity())));
                }
                state.status = "CREATED";
                state.customerId = created.customerId();
                state.currency = created.currency();
                state.items = lines.toArray(OrderLine[]::new);
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
                state.status = "CANCELLED";
                state.cancelledAt = at;
                state.cancellationReason = event.payloadAs(OrderCancelled.class).reason();
            }
            default -> throw new IllegalStateException("not an Order event: " + event.eventType());
        }
        return state;
    }

    @Override
    public Document toDocument(OrderState state) {
        List<Document> items = new ArrayList<>();
        for (OrderLine line : state.items) {
            items.add(new Document("sku", line.sku).append("quantity", line.quantity)
                .append("unitPrice", new Decimal128(line.unitPrice)));
        }
        Document document = new Document("status", state.status)
            .append("customerId", state.customerId)
            .append("currency", state.currency)
            .append("items", items)
            .append("totalAmount", new Decimal128(state.totalAmount));
        putTime(document, "createdAt", state.createdAt);
        putTime(document, "confirmedAt", state.confirmedAt);
        putTime(document, "shippedAt", state.shippedAt);
        putTime(document, "cancelledAt", state.cancelledAt);
        if (state.carrier != null) {
            document.append("carrier", state.carrier).append("trackingNumber", state.trackingNumber);
        }
        if (state.cancellationReason != null) {
            document.append("cancellationReason", state.cancellationReason);
        }
        return document;
    }

    private static void putTime(Document document, String field, long millis) {
        if (millis != 0) {
            document.append(field, new Date(millis));
        }
    }
}
