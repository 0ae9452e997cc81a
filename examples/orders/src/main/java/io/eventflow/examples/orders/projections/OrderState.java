package io.eventflow.examples.orders.projections;

import java.math.BigDecimal;

/** The order read model's state (a Flink POJO). Timestamps are epoch milliseconds, 0 when not reached. */
public class OrderState {

    public String status;
    public String customerId;
    public LineState[] items = new LineState[0];
    public BigDecimal totalAmount = BigDecimal.ZERO;
    public String currency;
    public long createdAt;
    public long confirmedAt;
    public long shippedAt;
    public long cancelledAt;
    public String carrier;
    public String trackingNumber;
    public String cancellationReason;

    public OrderState() {
    }
}
