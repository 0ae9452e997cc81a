package io.eventflow.examples.orders;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Order aggregate of the seeds, as an immutable state with two pure functions: {@link #apply} (an event changes
 * the state) and {@link #decide} (a command becomes events, or is refused with an {@link OrderRuleViolation}).
 *
 * <p>Rules: an order is created once, with a customer, a three-letter currency and at least one line (quantity 1 or
 * more, a positive unit price); only a created order can be confirmed; it cannot ship unless confirmed; it cannot be
 * cancelled once shipped; notes need an existing order.
 *
 * @param notes how many notes were added
 */
public record Order(String id, OrderStatus status, String customerId, String currency, List<OrderLine> items,
                    BigDecimal totalAmount, String carrier, String trackingNumber, String cancellationReason, int notes) {

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final int MAX_NOTE_LENGTH = 1000;

    public Order {
        items = List.copyOf(items);
    }

    /** An order with no event yet. */
    public static Order initial(String id) {
        return new Order(id, OrderStatus.NEW, null, null, List.of(), BigDecimal.ZERO, null, null, null, 0);
    }

    /** The state after an event. */
    public Order apply(OrderEvent event) {
        if (event instanceof OrderCreated created) {
            BigDecimal total = created.items().stream().map(OrderLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            return new Order(id, OrderStatus.CREATED, created.customerId(), created.currency(), created.items(), total,
                null, null, null, notes);
        }
        if (event instanceof OrderConfirmed) {
            return withStatus(OrderStatus.CONFIRMED, carrier, trackingNumber, cancellationReason);
        }
        if (event instanceof OrderShipped shipped) {
            return withStatus(OrderStatus.SHIPPED, shipped.carrier(), shipped.trackingNumber(), cancellationReason);
        }
        if (event instanceof OrderCancelled cancelled) {
            return withStatus(OrderStatus.CANCELLED, carrier, trackingNumber, cancelled.reason());
        }
        if (event instanceof OrderNoteAdded) {
            return new Order(id, status, customerId, currency, items, totalAmount, carrier, trackingNumber,
                cancellationReason, notes + 1);
        }
        throw new IllegalArgumentException("not an order event: " + event);
    }

    private Order withStatus(OrderStatus next, String nextCarrier, String nextTracking, String nextReason) {
        return new Order(id, next, customerId, currency, items, totalAmount, nextCarrier, nextTracking, nextReason, notes);
    }

    /**
     * The events a command produces.
     *
     * @throws OrderRuleViolation naming the order, its status and the rule, if the command breaks one
     */
    public static List<OrderEvent> decide(Order order, OrderCommand command) {
        if (command instanceof OrderCommand.Create create) {
            order.require(order.status == OrderStatus.NEW, "it exists already");
            order.require(create.customerId() != null && !create.customerId().isBlank(), "a customerId is required");
            order.require(create.currency() != null && CURRENCY.matcher(create.currency()).matches(),
                "currency must be three capital letters, was " + create.currency());
            order.require(create.items() != null && !create.items().isEmpty(), "an order needs at least one line");
            for (OrderLine line : create.items()) {
                order.require(line.sku() != null && !line.sku().isBlank(), "every line needs a sku");
                order.require(line.quantity() >= 1, "quantity of " + line.sku() + " must be 1 or more, was " + line.quantity());
                order.require(line.unitPrice() != null && line.unitPrice().signum() > 0,
                    "unitPrice of " + line.sku() + " must be positive, was " + line.unitPrice());
            }
            return List.of(new OrderCreated(create.customerId(), create.currency(), create.items()));
        }
        if (command instanceof OrderCommand.Confirm) {
            if (order.status == OrderStatus.CONFIRMED) {
                return List.of();
            }
            order.require(order.status == OrderStatus.CREATED, "only a created order can be confirmed");
            return List.of(new OrderConfirmed());
        }
        if (command instanceof OrderCommand.Ship ship) {
            order.require(order.status == OrderStatus.CONFIRMED, "cannot ship unless confirmed");
            order.require(ship.carrier() != null && !ship.carrier().isBlank()
                && ship.trackingNumber() != null && !ship.trackingNumber().isBlank(), "carrier and trackingNumber are required");
            return List.of(new OrderShipped(ship.carrier(), ship.trackingNumber()));
        }
        if (command instanceof OrderCommand.Cancel cancel) {
            if (order.status == OrderStatus.CANCELLED) {
                return List.of();
            }
            order.require(order.status == OrderStatus.CREATED || order.status == OrderStatus.CONFIRMED,
                "only an order that has not shipped can be cancelled");
            order.require(cancel.reason() != null && !cancel.reason().isBlank(), "a reason is required");
            return List.of(new OrderCancelled(cancel.reason()));
        }
        if (command instanceof OrderCommand.AddNote note) {
            order.require(order.status != OrderStatus.NEW, "a note needs an existing order");
            order.require(note.note() != null && !note.note().isBlank() && note.note().length() <= MAX_NOTE_LENGTH,
                "a note must have 1 to " + MAX_NOTE_LENGTH + " characters");
            return List.of(new OrderNoteAdded(note.note()));
        }
        throw new IllegalArgumentException("not an order command: " + command);
    }

    private void require(boolean rule, String violation) {
        if (!rule) {
            throw new OrderRuleViolation(id, status, violation);
        }
    }
}
