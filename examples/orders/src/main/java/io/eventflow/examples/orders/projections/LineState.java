package io.eventflow.examples.orders.projections;

import java.math.BigDecimal;

/** One line of an order, in the order read model's state (a Flink POJO). */
public class LineState {

    public String sku;
    public int quantity;
    public BigDecimal unitPrice;

    public LineState() {
    }

    public LineState(String sku, int quantity, BigDecimal unitPrice) {
        this.sku = sku;
        this.quantity = quantity;
        this.unitPrice = unitPrice;
    }
}
