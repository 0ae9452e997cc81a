package io.eventflow.examples.orders.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.UnknownSchemaVersionException;

class OrderProjectionTest {

    private static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");
    private final OrderProjection projection = new OrderProjection();

    @Test
    void anOrderGoesFromCreatedToShippedWithItsTotalAndTimes() {
        OrderState state = projection.initialState("o1");
        state = projection.apply(state, event(1, "OrderCreated", 2,
            "{\"customerId\": \"c1\", \"currency\": \"EUR\", \"items\": [{\"sku\": \"a\", \"quantity\": 2, \"unitPrice\": 1.25},"
                + " {\"sku\": \"b\", \"quantity\": 1, \"unitPrice\": 10.00}]}", CREATED));
        state = projection.apply(state, event(2, "OrderConfirmed", 1, "{}", CREATED.plusSeconds(60)));
        state = projection.apply(state, event(3, "OrderShipped", 1, "{\"carrier\": \"DHL\", \"trackingNumber\": \"T1\"}",
            CREATED.plusSeconds(3600)));

        Map<String, Object> document = new java.util.LinkedHashMap<>(projection.toDocument(state));
        assertThat(document.get("status")).isEqualTo("SHIPPED");
        assertThat(document.get("customerId")).isEqualTo("c1");
        assertThat(document.get("totalAmount")).isEqualTo(new BigDecimal("12.50"));
        assertThat((List<?>) document.get("items")).extracting(item -> (Object) ((Map<?, ?>) item).get("sku"))
            .containsExactly("a", "b");
        assertThat(document.get("createdAt")).isEqualTo(CREATED);
        assertThat(document.get("confirmedAt")).isEqualTo(CREATED.plusSeconds(60));
        assertThat(document.get("shippedAt")).isEqualTo(CREATED.plusSeconds(3600));
        assertThat(document.get("carrier")).isEqualTo("DHL");
        assertThat(document.containsKey("cancelledAt")).isFalse();
    }

    @Test
    void aVersionOneOrderCreatedIsUpcastBeforeItIsProjected() {
        OrderState state = projection.apply(projection.initialState("o1"), event(1, "OrderCreated", 1,
            "{\"customerId\": \"c1\", \"items\": [{\"sku\": \"a\", \"qty\": 3, \"price\": 2.00}]}", CREATED));

        assertThat(state.items[0].quantity).isEqualTo(3);
        assertThat(state.totalAmount).isEqualByComparingTo("6.00");
        assertThat(state.currency).isEqualTo("EUR");
    }

    @Test
    void amountsKeepTheirScaleWhetherAPayloadIsUpcastOrReadStraightIntoItsType() {
        OrderState current = projection.apply(projection.initialState("o1"), event(1, "OrderCreated", 2,
            "{\"customerId\": \"c1\", \"currency\": \"EUR\", \"items\": [{\"sku\": \"a\", \"quantity\": 3, \"unitPrice\": 2.50}]}",
            CREATED));
        OrderState upcast = projection.apply(projection.initialState("o1"), event(1, "OrderCreated", 1,
            "{\"customerId\": \"c1\", \"items\": [{\"sku\": \"a\", \"qty\": 3, \"price\": 2.50}]}", CREATED));

        assertThat(current.items[0].unitPrice).isEqualTo(new BigDecimal("2.50")); // equals: value and scale
        assertThat(upcast.items[0].unitPrice).isEqualTo(new BigDecimal("2.50"));
        assertThat(projection.toDocument(current)).isEqualTo(projection.toDocument(upcast));
    }

    @Test
    void aCancelledOrderRecordsTheReason() {
        OrderState state = projection.apply(projection.initialState("o1"), event(1, "OrderCreated", 2,
            "{\"customerId\": \"c1\", \"currency\": \"EUR\", \"items\": []}", CREATED));
        state = projection.apply(state, event(2, "OrderCancelled", 1, "{\"reason\": \"out of stock\"}", CREATED.plusSeconds(5)));

        Map<String, Object> document = new java.util.LinkedHashMap<>(projection.toDocument(state));
        assertThat(document.get("status")).isEqualTo("CANCELLED");
        assertThat(document.get("cancellationReason")).isEqualTo("out of stock");
    }

    @Test
    void aPayloadTheProjectionCannotReadFailsNamingTheEvent() {
        assertThatThrownBy(() -> projection.apply(projection.initialState("o1"),
            event(1, "OrderCreated", 2, "{\"currency\": \"EUR\"}", CREATED)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OrderCreated needs customerId and items");
        assertThatThrownBy(() -> projection.apply(projection.initialState("o1"),
            event(1, "OrderCreated", 2, "{\"customerId\": 5, \"items\": \"none\"}", CREATED)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload of OrderCreated (event o1-1) cannot be read as OrderCreated");
        assertThatThrownBy(() -> projection.apply(projection.initialState("o1"),
            event(1, "OrderCreated", 7, "{}", CREATED)))
            .isInstanceOf(UnknownSchemaVersionException.class)
            .hasMessage("schemaVersion 7 of OrderCreated is newer than this code knows (v2); deploy the projections with their upcasters first");
    }

    @Test
    void onlyOrderEventsAreHandled() {
        assertThat(List.of("OrderCreated", "OrderConfirmed", "OrderShipped", "OrderCancelled"))
            .allMatch(projection::handles);
        assertThat(projection.handles("OrderNoteAdded")).isFalse();
        assertThat(projection.handles("CustomerRegistered")).isFalse();
    }

    static ProjectedEvent event(long sequenceNo, String type, int version, String payload, Instant at) {
        return ProjectedEvent.builder(type).aggregate(Orders.AGGREGATE_TYPE, "o1").sequenceNo(sequenceNo)
            .schemaVersion(version).payload(payload).occurredAt(at).upcasters(Orders.UPCASTERS).build();
    }
}
