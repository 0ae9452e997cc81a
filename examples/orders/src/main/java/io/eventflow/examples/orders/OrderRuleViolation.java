package io.eventflow.examples.orders;

import io.eventflow.writer.aggregate.DomainException;

/** A command an order refuses, for example shipping an order that is not confirmed. */
public class OrderRuleViolation extends DomainException {

    private static final long serialVersionUID = 1L;

    public OrderRuleViolation(String orderId, OrderStatus status, String rule) {
        super("order " + orderId + " (" + status + "): " + rule);
    }
}
