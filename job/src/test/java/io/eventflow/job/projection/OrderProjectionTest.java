package io.eventflow.job.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;

import org.bson.Document;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.order.OrderProjection;
import io.eventflow.job.projection.order.OrderState;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.projection.summary.StreamSummaryState;
import io.eventflow.writer.example.order.Orders;

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

        Document document = projection.toDocument(state);
        assertThat(document.getString("status")).isEqualTo("SHIPPED");
        assertThat(document.getString("customerId")).isEqualTo("c1");
        assertThat(document.get("totalAmount")).isEqualTo(new Decimal128(new BigDecimal("12.50")));
        assertThat(document.getList("items", Document.class)).extracting(item -> item.getString("sku")).containsExactly("a", "b");
        assertThat(document.get("createdAt")).isEqualTo(Date.from(CREATED));
        assertThat(document.get("confirmedAt")).isEqualTo(Date.from(CREATED.plusSeconds(60)));
        assertThat(document.get("shippedAt")).isEqualTo(Date.from(CREATED.plusSeconds(3600)));
        assertThat(document.getString("carrier")).isEqualTo("DHL");
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

        Document document = projection.toDocument(state);
        assertThat(document.getString("status")).isEqualTo("CANCELLED");
        assertThat(document.getString("cancellationReason")).isEqualTo("out of stock");
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
            .isInstanceOf(ProjectedEvent.UnknownSchemaVersionException.class)
            .hasMessage("schemaVersion 7 of OrderCreated is newer than this job knows (v2); deploy the job with its upcasters first");
    }

    @Test
    void onlyOrderEventsAreHandled() {
        assertThat(java.util.List.of("OrderCreated", "OrderConfirmed", "OrderShipped", "OrderCancelled"))
            .allMatch(projection::handles);
        assertThat(projection.handles("OrderNoteAdded")).isFalse();
        assertThat(projection.handles("CustomerRegistered")).isFalse();
    }

    @Test
    void theStreamSummaryCountsEveryEventWithoutReadingPayloads() {
        StreamSummaryProjection summary = new StreamSummaryProjection();
        StreamSummaryState state = summary.initialState("o1");
        state = summary.apply(state, event(1, "OrderCreated", 99, "not even json", CREATED));
        state = summary.apply(state, event(2, "OrderNoteAdded", 1, "{}", CREATED.plusSeconds(9)));

        Document document = summary.toDocument(state);
        assertThat(document).containsEntry("eventCount", 2L).containsEntry("firstEventType", "OrderCreated")
            .containsEntry("lastEventType", "OrderNoteAdded").containsEntry("aggregateType", "Order")
            .containsEntry("firstOccurredAt", Date.from(CREATED)).containsEntry("lastOccurredAt", Date.from(CREATED.plusSeconds(9)));
    }

    static ProjectedEvent event(long sequenceNo, String type, int version, String payload, Instant at) {
        return new ProjectedEvent(envelope("o1", sequenceNo, type, version, payload, at), Orders.UPCASTERS,
            ProjectedEvent.payloadMapper());
    }

    static EventEnvelope envelope(String aggregateId, long sequenceNo, String type, int version, String payload, Instant at) {
        EventEnvelope envelope = new EventEnvelope();
        envelope.eventId = aggregateId + "-" + sequenceNo;
        envelope.aggregateId = aggregateId;
        envelope.aggregateType = "Order";
        envelope.sequenceNo = sequenceNo;
        envelope.eventType = type;
        envelope.schemaVersion = version;
        envelope.occurredAtMillis = at.toEpochMilli();
        envelope.payloadJson = payload;
        envelope.metadataJson = "{}";
        return envelope;
    }

}
