package io.eventflow.examples.orders;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.writer.aggregate.AggregateDefinition;

/**
 * The Order aggregate's definition for an {@code AggregateRepository}, its event type names and their schema history.
 * The projection job reads the same events.
 *
 * <pre>{@code
 * EventStore store = EventStore.builder().connectionString(uri).upcasters(Orders.UPCASTERS).build();
 * AggregateRepository<Order, OrderCommand, OrderEvent> orders =
 *     AggregateRepository.builder(store, Orders.DEFINITION).snapshotEvery(100).build();
 * orders.handle("order-42", new OrderCommand.Create("customer-7", "EUR", lines));
 * }</pre>
 */
public final class Orders {

    public static final String AGGREGATE_TYPE = "Order";
    public static final String CREATED = "OrderCreated";
    public static final String CONFIRMED = "OrderConfirmed";
    public static final String SHIPPED = "OrderShipped";
    public static final String CANCELLED = "OrderCancelled";
    public static final String NOTE_ADDED = "OrderNoteAdded";
    public static final List<String> EVENT_TYPES = List.of(CREATED, CONFIRMED, SHIPPED, CANCELLED, NOTE_ADDED);

    /** OrderCreated v1 → v2: the lines' {@code qty}/{@code price} became {@code quantity}/{@code unitPrice}; EUR added. */
    public static final Upcasters UPCASTERS = Upcasters.builder()
        .register(CREATED, 1, Orders::orderCreatedV1ToV2)
        .build();

    /** Snapshots are {@link Order} records, format version 1. */
    public static final AggregateDefinition<Order, OrderCommand, OrderEvent> DEFINITION =
        AggregateDefinition.<Order, OrderCommand, OrderEvent>builder(AGGREGATE_TYPE)
            .initialState(Order::initial)
            .evolve(Order::apply)
            .decide(Order::decide)
            .event(CREATED, OrderCreated.class)
            .event(CONFIRMED, OrderConfirmed.class)
            .event(SHIPPED, OrderShipped.class)
            .event(CANCELLED, OrderCancelled.class)
            .event(NOTE_ADDED, OrderNoteAdded.class)
            .snapshots(Order.class, 1)
            .build();

    private Orders() {
    }

    static ObjectNode orderCreatedV1ToV2(ObjectNode payload) {
        if (payload.get("items") instanceof ArrayNode items) {
            for (JsonNode item : items) {
                if (item instanceof ObjectNode line) {
                    if (line.has("qty")) {
                        line.set("quantity", line.remove("qty"));
                    }
                    if (line.has("price")) {
                        line.set("unitPrice", line.remove("price"));
                    }
                }
            }
        }
        if (!payload.has("currency")) {
            payload.put("currency", "EUR");
        }
        return payload;
    }
}
