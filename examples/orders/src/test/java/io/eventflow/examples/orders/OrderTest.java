package io.eventflow.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The Order aggregate's rules and state changes, without a store. */
class OrderTest {

    private static final List<OrderLine> LINES = List.of(new OrderLine("book-1", 2, new BigDecimal("12.50")));

    private static Order given(OrderCommand... commands) {
        Order order = Order.initial("order-1");
        for (OrderCommand command : commands) {
            for (OrderEvent event : Order.decide(order, command)) {
                order = order.apply(event);
            }
        }
        return order;
    }

    @Test
    void anOrderGoesFromCreatedThroughConfirmedToShipped() {
        Order order = given(new OrderCommand.Create("customer-7", "EUR", LINES), new OrderCommand.Confirm(),
            new OrderCommand.AddNote("leave at the door"), new OrderCommand.Ship("DHL", "T-1"));

        assertThat(order.status()).isEqualTo(OrderStatus.SHIPPED);
        assertThat(order.customerId()).isEqualTo("customer-7");
        assertThat(order.totalAmount()).isEqualTo(new BigDecimal("25.00"));
        assertThat(order.carrier()).isEqualTo("DHL");
        assertThat(order.trackingNumber()).isEqualTo("T-1");
        assertThat(order.notes()).isEqualTo(1);
    }

    @Test
    void eachRuleRefusesItsCommandNamingTheOrderItsStatusAndTheRule() {
        Order created = given(new OrderCommand.Create("customer-7", "EUR", LINES));
        Order shipped = given(new OrderCommand.Create("customer-7", "EUR", LINES), new OrderCommand.Confirm(),
            new OrderCommand.Ship("DHL", "T-1"));

        assertRefused(created, new OrderCommand.Ship("DHL", "T-1"), "order order-1 (CREATED): cannot ship unless confirmed");
        assertRefused(created, new OrderCommand.Create("customer-7", "EUR", LINES), "order order-1 (CREATED): it exists already");
        assertRefused(shipped, new OrderCommand.Cancel("late"),
            "order order-1 (SHIPPED): only an order that has not shipped can be cancelled");
        assertRefused(shipped, new OrderCommand.Confirm(), "order order-1 (SHIPPED): only a created order can be confirmed");
        assertRefused(Order.initial("order-1"), new OrderCommand.AddNote("hello"),
            "order order-1 (NEW): a note needs an existing order");
        assertRefused(Order.initial("order-1"), new OrderCommand.Create("customer-7", "euro", LINES),
            "order order-1 (NEW): currency must be three capital letters, was euro");
        assertRefused(Order.initial("order-1"), new OrderCommand.Create("customer-7", "EUR",
            List.of(new OrderLine("pen", 0, BigDecimal.ONE))), "order order-1 (NEW): quantity of pen must be 1 or more, was 0");
        assertRefused(Order.initial("order-1"), new OrderCommand.Create("customer-7", "EUR",
            List.of(new OrderLine("pen", 1, BigDecimal.ZERO))), "order order-1 (NEW): unitPrice of pen must be positive, was 0");
    }

    @Test
    void confirmingOrCancellingTwiceChangesNothing() {
        Order confirmed = given(new OrderCommand.Create("customer-7", "EUR", LINES), new OrderCommand.Confirm());
        Order cancelled = given(new OrderCommand.Create("customer-7", "EUR", LINES), new OrderCommand.Cancel("no"));

        assertThat(Order.decide(confirmed, new OrderCommand.Confirm())).isEmpty();
        assertThat(Order.decide(cancelled, new OrderCommand.Cancel("again"))).isEmpty();
    }

    @Test
    void theVersionOneOrderCreatedIsLiftedToVersionTwo() {
        ObjectNode v1 = JsonNodeFactory.instance.objectNode().put("customerId", "c");
        v1.putArray("items").addObject().put("sku", "pen").put("qty", 3).put("price", 1.5);

        ObjectNode v2 = Orders.UPCASTERS.upcast(Orders.CREATED, 1, v1);

        assertThat(v2.toString()).isEqualTo("{\"customerId\":\"c\",\"items\":[{\"sku\":\"pen\",\"quantity\":3,\"unitPrice\":1.5}],"
            + "\"currency\":\"EUR\"}");
        assertThat(Orders.UPCASTERS.currentVersion(Orders.CREATED)).isEqualTo(2);
    }

    private static void assertRefused(Order order, OrderCommand command, String message) {
        assertThatThrownBy(() -> Order.decide(order, command)).isInstanceOf(OrderRuleViolation.class).hasMessage(message);
    }
}
