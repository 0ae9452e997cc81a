package io.eventflow.projection;

import java.util.List;

import io.eventflow.core.upcast.Upcasters;

/**
 * How the job finds your projections: a {@link java.util.ServiceLoader} service. Implement it with a public
 * no-argument constructor and name the class in {@code META-INF/services/io.eventflow.projection.ProjectionProvider}
 * of your jar:
 *
 * <pre>{@code
 * public final class CartProjections implements ProjectionProvider {
 *     public List<Projection<?>> projections() { return List.of(new CartTotals()); }
 *     public List<CrossAggregateProjection<?>> crossAggregateProjections() { return List.of(new OpenCartsPerCustomer()); }
 *     public Upcasters upcasters() { return Carts.UPCASTERS; }
 * }
 * }</pre>
 *
 * The job runs every discovered projection, or those its {@code projections} option names. Names must be unique over
 * all providers on the classpath, and two providers may not both give upcasters for one event type: the job refuses
 * to start and names both.
 */
public interface ProjectionProvider {

    /** Per-aggregate projections. */
    default List<Projection<?>> projections() {
        return List.of();
    }

    /** Cross-aggregate (multi-stream) projections. */
    default List<CrossAggregateProjection<?>> crossAggregateProjections() {
        return List.of();
    }

    /** The schema history of the events these projections read; payloads reach them at the current version. */
    default Upcasters upcasters() {
        return Upcasters.NONE;
    }
}
