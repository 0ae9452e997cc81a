package io.eventflow.examples.orders;

import java.util.List;

/**
 * {@code OrderCreated} v2: {@code {customerId, currency, items: [{sku, quantity, unitPrice}]}}. Version 1 had items
 * {@code [{sku, qty, price}]} and no currency; {@link Orders#UPCASTERS} lifts it.
 */
public record OrderCreated(String customerId, String currency, List<OrderLine> items) implements OrderEvent {
}
