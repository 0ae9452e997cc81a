package io.eventflow.writer.example.order;

/** {@code OrderCancelled}: {@code {reason}}. */
public record OrderCancelled(String reason) implements OrderEvent {
}
