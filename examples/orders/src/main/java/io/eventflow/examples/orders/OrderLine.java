package io.eventflow.examples.orders;

import java.math.BigDecimal;

/** A line of an order: {@code quantity} times {@code sku} at {@code unitPrice}. */
public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {

    public BigDecimal amount() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
