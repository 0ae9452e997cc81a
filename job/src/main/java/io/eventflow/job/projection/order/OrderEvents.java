package io.eventflow.job.projection.order;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.writer.upcast.Upcasters;

/**
 * The Order events the projection reads, at their current schema versions, and their schema history.
 *
 * <ul>
 *   <li>{@code OrderCreated} v2: {@code {customerId, currency, items: [{sku, quantity, unitPrice}]}}. Version 1 had
 *       {@code items: [{sku, qty, price}]} and no currency (EUR).</li>
 *   <li>{@code OrderConfirmed}: {@code {}}.</li>
 *   <li>{@code OrderShipped}: {@code {carrier, trackingNumber}}.</li>
 *   <li>{@code OrderCancelled}: {@code {reason}}.</li>
 * </ul>
 */
public final class OrderEvents {

    public static final String CREATED = "OrderCreated";
    public static final String CONFIRMED = "OrderConfirmed";
    public static final String SHIPPED = "OrderShipped";
    public static final String CANCELLED = "OrderCancelled";
    public static final List<String> TYPES = List.of(CREATED, CONFIRMED, SHIPPED, CANCELLED);

    /** OrderCreated v1 -> v2: items' {@code qty}/{@code price} became {@code quantity}/{@code unitPrice}; EUR added. */
    public static final Upcasters UPCASTERS = Upcasters.builder()
        .register(CREATED, 1, OrderEvents::orderCreatedV1ToV2)
        .build();

    record Line(String sku, int quantity, BigDecimal unitPrice) {
    }

    record Created(String customerId, String currency, List<Line> items) {
    }

    record Shipped(String carrier, String trackingNumber) {
    }

    record Cancelled(String reason) {
    }

    private OrderEvents() {
    }

    static ObjectNode orderCreatedV1ToV2(ObjectNode payload) {
        if (payload.get("items") instanceof ArrayNode items) {
            for (JsonNode item : items) {
                if (item instanceof ObjectNode line) {
                    line.set("quantity", line.remove("qty"));
                    line.set("unitPrice", line.remove("price"));
                }
            }
        }
        if (!payload.has("currency")) {
            payload.put("currency", "EUR");
        }
        return payload;
    }
}
