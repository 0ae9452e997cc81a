package io.eventflow.job.projection.order;

import java.math.BigDecimal;

/** One line of an order, in the order read model's state (a Flink POJO). */
public class OrderLine {

    public String sku;
    public int quantity;
    public BigDecimal unitPrice;

    public OrderLine() {
    }

    public OrderLine(String sku, int quantity, BigDecimal unitPrice) {
        this.sku = sku;
        this.quantity = quantity;
        this.unitPrice = unitPrice;
    }
}
