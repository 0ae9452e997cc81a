package io.eventflow.writer.example.order;

/** Where an order stands. NEW: no event yet. */
public enum OrderStatus {
    NEW, CREATED, CONFIRMED, SHIPPED, CANCELLED
}
