package io.eventflow.examples.orders.projections;

import java.util.List;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.examples.orders.Orders;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/**
 * The Order example's projections, found by the job through {@code META-INF/services/io.eventflow.projection.ProjectionProvider}:
 * the per-aggregate {@code order} read model, and the cross-aggregate {@code orders-per-customer} and
 * {@code units-sold-per-sku}, all reading Order events through the Order upcasters.
 */
public final class OrderProjections implements ProjectionProvider {

    @Override
    public List<Projection<?>> projections() {
        return List.of(new OrderProjection());
    }

    @Override
    public List<CrossAggregateProjection<?>> crossAggregateProjections() {
        return List.of(new OrdersPerCustomerProjection(), new UnitsSoldPerSkuProjection());
    }

    @Override
    public Upcasters upcasters() {
        return Orders.UPCASTERS;
    }
}
