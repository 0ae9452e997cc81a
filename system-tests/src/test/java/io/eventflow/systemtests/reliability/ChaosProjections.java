package io.eventflow.systemtests.reliability;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.examples.orders.Orders;
import io.eventflow.examples.orders.projections.OrderProjection;
import io.eventflow.examples.orders.projections.OrderState;
import io.eventflow.examples.orders.projections.OrdersPerCustomerProjection;
import io.eventflow.examples.orders.projections.UnitsSoldPerSkuProjection;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/**
 * The Order example's projections with bugs: for chosen events (a deterministic function of the eventId, so that the
 * replay oracle hits the same ones) they throw before touching the state, after changing it, or while routing. The
 * job must dead-letter exactly those events for exactly those projections, and never restart.
 */
public final class ChaosProjections implements ProjectionProvider {

    /** One event in {@code every} fails in each way. */
    static final int EVERY = 29;

    static boolean chosen(ProjectedEvent event, int salt) {
        return Math.floorMod(event.eventId().hashCode() + salt, EVERY) == 0;
    }

    @Override
    public List<Projection<?>> projections() {
        return List.of(new ChaoticOrders());
    }

    @Override
    public List<CrossAggregateProjection<?>> crossAggregateProjections() {
        return List.of(new ChaoticCustomers(), new UnitsSoldPerSkuProjection());
    }

    @Override
    public Upcasters upcasters() {
        return Orders.UPCASTERS;
    }

    /** The order read model, failing in apply before and after changing its state. */
    static final class ChaoticOrders implements Projection<OrderState> {
        private static final long serialVersionUID = 1L;
        private final OrderProjection delegate = new OrderProjection();

        public String name() {
            return delegate.name();
        }

        public String collection() {
            return delegate.collection();
        }

        public Class<OrderState> stateType() {
            return delegate.stateType();
        }

        public OrderState initialState(String aggregateId) {
            return delegate.initialState(aggregateId);
        }

        public boolean handles(String eventType) {
            return delegate.handles(eventType);
        }

        public OrderState apply(OrderState state, ProjectedEvent event) {
            if (chosen(event, 0)) {
                throw new IllegalStateException("chaos before applying " + event.eventId());
            }
            OrderState next = delegate.apply(state, event);
            if (chosen(event, 7)) {
                next.status = "CORRUPTED";
                throw new IllegalStateException("chaos after changing the state for " + event.eventId());
            }
            return next;
        }

        public Map<String, ?> toDocument(OrderState state) {
            return delegate.toDocument(state);
        }
    }

    /** Orders per customer, failing while routing and while applying. */
    static final class ChaoticCustomers implements CrossAggregateProjection<OrdersPerCustomerProjection.State> {
        private static final long serialVersionUID = 1L;
        private final OrdersPerCustomerProjection delegate = new OrdersPerCustomerProjection();

        public String name() {
            return delegate.name();
        }

        public String collection() {
            return delegate.collection();
        }

        public Class<OrdersPerCustomerProjection.State> stateType() {
            return delegate.stateType();
        }

        public boolean handles(String eventType) {
            return delegate.handles(eventType);
        }

        public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
            if (chosen(event, 13)) {
                throw new IllegalArgumentException("chaos while routing " + event.eventId());
            }
            return delegate.documentKeys(event, keysOfAggregate);
        }

        public OrdersPerCustomerProjection.State initialState(String key) {
            return delegate.initialState(key);
        }

        public OrdersPerCustomerProjection.State apply(OrdersPerCustomerProjection.State state, ProjectedEvent event,
                                                       String key) {
            OrdersPerCustomerProjection.State next = delegate.apply(state, event, key);
            if (chosen(event, 19)) {
                next.orders += 1000;
                throw new IllegalStateException("chaos after changing customer " + key + " for " + event.eventId());
            }
            return next;
        }

        public Map<String, ?> toDocument(String key, OrdersPerCustomerProjection.State state) {
            return delegate.toDocument(key, state);
        }
    }
}
