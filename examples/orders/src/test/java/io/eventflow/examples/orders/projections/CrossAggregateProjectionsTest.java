package io.eventflow.examples.orders.projections;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eventflow.examples.orders.OrderCreated;
import io.eventflow.examples.orders.OrderLine;
import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.testing.CrossAggregateTester;

/** Orders per customer and units sold per SKU, folded the way the job folds them, with the projection API's tester. */
class CrossAggregateProjectionsTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void aCustomersDocumentCountsOrdersOpenOnesAndWhatShippedOrdersCost() {
        CrossAggregateTester<OrdersPerCustomerProjection.State> customers =
            CrossAggregateTester.of(new OrdersPerCustomerProjection()).given(
                created("o1", "c1", "EUR", new OrderLine("book", 2, new BigDecimal("12.50"))),
                created("o2", "c1", "EUR", new OrderLine("pen", 1, new BigDecimal("1.20"))),
                created("o3", "c2", "USD", new OrderLine("lamp", 1, new BigDecimal("40.00"))),
                event("o1", 2, Orders.CONFIRMED, "{}"),
                event("o1", 3, Orders.SHIPPED, "{\"carrier\": \"DHL\", \"trackingNumber\": \"T1\"}"),
                event("o2", 2, Orders.CANCELLED, "{\"reason\": \"changed mind\"}"));

        assertThat(customers.document("c1")).containsEntry("orders", 2L).containsEntry("openOrders", 0L)
            .containsEntry("shippedOrders", 1L).containsEntry("cancelledOrders", 1L)
            .containsEntry("totalSpent", Map.of("EUR", new BigDecimal("25.00")));
        assertThat(customers.document("c2")).containsEntry("orders", 1L).containsEntry("openOrders", 1L)
            .containsEntry("totalSpent", Map.of());
        assertThat(customers.eventCount("c1")).isEqualTo(5);
        assertThat(customers.deadLetters()).isEmpty();
    }

    @Test
    void anOrderCountsForEverySkuItContainsAndShipmentsAndCancellationsMoveItsUnits() {
        CrossAggregateTester<UnitsSoldPerSkuProjection.State> skus =
            CrossAggregateTester.of(new UnitsSoldPerSkuProjection()).given(
                created("o1", "c1", "EUR", new OrderLine("book", 2, BigDecimal.TEN), new OrderLine("pen", 5, BigDecimal.ONE)),
                created("o2", "c2", "EUR", new OrderLine("book", 1, BigDecimal.TEN)),
                event("o1", 2, Orders.SHIPPED, "{\"carrier\": \"DHL\", \"trackingNumber\": \"T1\"}"),
                event("o2", 2, Orders.CANCELLED, "{\"reason\": \"r\"}"));

        assertThat(skus.document("book")).containsEntry("orders", 2L).containsEntry("unitsSold", 2L)
            .containsEntry("unitsOpen", 0L).containsEntry("unitsCancelled", 1L);
        assertThat(skus.document("pen")).containsEntry("orders", 1L).containsEntry("unitsSold", 5L);
        assertThat(skus.keys()).containsExactly("book", "pen");
    }

    @Test
    void theResultDoesNotDependOnHowDifferentOrdersInterleave() {
        ProjectedEvent[] first = {
            created("o1", "c1", "EUR", new OrderLine("book", 2, BigDecimal.TEN)),
            event("o1", 2, Orders.SHIPPED, "{\"carrier\": \"DHL\", \"trackingNumber\": \"T1\"}"),
            created("o2", "c1", "EUR", new OrderLine("book", 3, BigDecimal.ONE)),
            event("o2", 2, Orders.CANCELLED, "{\"reason\": \"r\"}")};
        ProjectedEvent[] other = {first[2], first[0], first[3], first[1]};

        assertThat(CrossAggregateTester.of(new OrdersPerCustomerProjection()).given(other).document("c1"))
            .isEqualTo(CrossAggregateTester.of(new OrdersPerCustomerProjection()).given(first).document("c1"));
        assertThat(CrossAggregateTester.of(new UnitsSoldPerSkuProjection()).given(other).document("book"))
            .isEqualTo(CrossAggregateTester.of(new UnitsSoldPerSkuProjection()).given(first).document("book"));
    }

    @Test
    void anOrderCreatedWithoutACustomerIsDeadLetteredAndCountsNowhere() {
        CrossAggregateTester<OrdersPerCustomerProjection.State> customers =
            CrossAggregateTester.of(new OrdersPerCustomerProjection()).given(
                event("o1", 1, Orders.CREATED, "{\"currency\": \"EUR\", \"items\": []}"),
                event("o1", 2, Orders.CONFIRMED, "{}"));

        assertThat(customers.keys()).isEmpty();
        assertThat(customers.deadLetters()).singleElement().asString().contains("OrderCreated o1-1 names no customerId");
    }

    private static ProjectedEvent created(String orderId, String customerId, String currency, OrderLine... lines) {
        return ProjectedEvent.builder(Orders.CREATED).aggregate(Orders.AGGREGATE_TYPE, orderId).sequenceNo(1)
            .schemaVersion(2).occurredAt(AT).payload(new OrderCreated(customerId, currency, List.of(lines)))
            .upcasters(Orders.UPCASTERS).build();
    }

    private static ProjectedEvent event(String orderId, long sequenceNo, String type, String payload) {
        return ProjectedEvent.builder(type).aggregate(Orders.AGGREGATE_TYPE, orderId).sequenceNo(sequenceNo)
            .occurredAt(AT.plusSeconds(sequenceNo)).payload(payload).upcasters(Orders.UPCASTERS).build();
    }
}
