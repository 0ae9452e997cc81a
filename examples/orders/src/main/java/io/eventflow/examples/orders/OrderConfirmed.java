package io.eventflow.examples.orders;

/** {@code OrderConfirmed}: {@code {}}. */
public record OrderConfirmed() implements OrderEvent {
}
