package io.eventflow.writer.example.order;

/** {@code OrderConfirmed}: {@code {}}. */
public record OrderConfirmed() implements OrderEvent {
}
