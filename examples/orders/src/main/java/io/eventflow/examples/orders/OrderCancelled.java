package io.eventflow.examples.orders;

/** {@code OrderCancelled}: {@code {reason}}. */
public record OrderCancelled(String reason) implements OrderEvent {
}
