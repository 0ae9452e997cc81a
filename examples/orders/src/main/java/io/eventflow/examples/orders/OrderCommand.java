package io.eventflow.examples.orders;

import java.util.List;

/** What can be asked of an {@link Order}; {@link Order#decide} turns a command into events or refuses it. */
public sealed interface OrderCommand {

    /** Place a new order. */
    record Create(String customerId, String currency, List<OrderLine> items) implements OrderCommand {
    }

    /** Confirm a created order; confirming it again changes nothing. */
    record Confirm() implements OrderCommand {
    }

    /** Ship a confirmed order. */
    record Ship(String carrier, String trackingNumber) implements OrderCommand {
    }

    /** Cancel an order that has not shipped; cancelling it again changes nothing. */
    record Cancel(String reason) implements OrderCommand {
    }

    /** Add a note to an existing order. */
    record AddNote(String note) implements OrderCommand {
    }
}
