package io.eventflow.systemtests.testing;

import java.util.List;

import io.eventflow.examples.orders.projections.OrderProjections;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.summary.BuiltInProjections;

/** The projections the system tests run: the Order example's and the job's built-in one, as the example's jar has them. */
public final class Registries {

    /** order, orders-per-customer, units-sold-per-sku and stream-summary. */
    public static final ProjectionRegistry ORDERS = ProjectionCatalog.of(new OrderProjections(), new BuiltInProjections())
        .select(List.of());

    private Registries() {
    }
}
