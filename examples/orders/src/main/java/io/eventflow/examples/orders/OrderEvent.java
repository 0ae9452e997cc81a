package io.eventflow.examples.orders;

/** The events of an {@link Order}; stored under the type names in {@link Orders}. */
public sealed interface OrderEvent permits OrderCreated, OrderConfirmed, OrderShipped, OrderCancelled, OrderNoteAdded {
}
