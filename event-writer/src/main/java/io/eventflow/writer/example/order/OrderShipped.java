package io.eventflow.writer.example.order;

/** {@code OrderShipped}: {@code {carrier, trackingNumber}}. */
public record OrderShipped(String carrier, String trackingNumber) implements OrderEvent {
}
