package io.eventflow.systemtests.bench;

import org.apache.flink.api.common.functions.MapFunction;

import io.eventflow.job.model.EventEnvelope;

/**
 * Turns a sequence number into the n-th event of a realistic Order stream: event i belongs to aggregate
 * {@code i % aggregates} and is its {@code i / aggregates + 1}-th event (OrderCreated, OrderConfirmed, notes, and
 * every 20th an OrderShipped). Orders belong to {@link #CUSTOMERS} customers and hold two of {@link #SKUS} SKUs, so the
 * cross-aggregate projections have keys of realistic heat.
 */
final class GeneratedEvents implements MapFunction<Long, EventEnvelope> {

    private static final long serialVersionUID = 1L;
    static final int CUSTOMERS = 1_000;
    static final int SKUS = 100;

    private final int aggregates;

    GeneratedEvents(int aggregates) {
        this.aggregates = aggregates;
    }

    @Override
    public EventEnvelope map(Long i) {
        long sequenceNo = i / aggregates + 1;
        EventEnvelope event = new EventEnvelope();
        event.aggregateId = "order-" + (i % aggregates);
        event.aggregateType = "Order";
        event.sequenceNo = sequenceNo;
        event.eventId = event.aggregateId + "-" + sequenceNo;
        event.schemaVersion = sequenceNo == 1 ? 2 : 1;
        if (sequenceNo == 1) {
            long order = i % aggregates;
            event.eventType = "OrderCreated";
            event.payloadJson = "{\"customerId\":\"customer-" + order % CUSTOMERS + "\",\"currency\":\"EUR\",\"items\":["
                + "{\"sku\":\"sku-" + order % SKUS + "\",\"quantity\":2,\"unitPrice\":12.50},"
                + "{\"sku\":\"sku-" + (order * 7 + 3) % SKUS + "\",\"quantity\":1,\"unitPrice\":1.20}]}";
        } else if (sequenceNo == 2) {
            event.eventType = "OrderConfirmed";
            event.payloadJson = "{}";
        } else if (sequenceNo % 20 == 0) {
            event.eventType = "OrderShipped";
            event.payloadJson = "{\"carrier\":\"DHL\",\"trackingNumber\":\"T" + sequenceNo + "\"}";
        } else {
            event.eventType = "OrderNoteAdded";
            event.payloadJson = "{\"note\":\"note " + sequenceNo + "\"}";
        }
        event.metadataJson = "{\"correlationId\":\"c-" + i + "\"}";
        event.commitId = "k-" + i;
        event.occurredAtMillis = 1_772_359_200_000L + i;
        event.clusterTime = (1_772_359_200L << 32) | (i & 0xFFFF);
        return event;
    }
}
