package io.eventflow.examples.orders;

/** Where an order stands. NEW: no event yet. */
public enum OrderStatus {
    NEW, CREATED, CONFIRMED, SHIPPED, CANCELLED
}
