package io.eventflow.examples.orders;

/** {@code OrderShipped}: {@code {carrier, trackingNumber}}. */
public record OrderShipped(String carrier, String trackingNumber) implements OrderEvent {
}
