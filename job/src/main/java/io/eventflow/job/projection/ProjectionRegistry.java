package io.eventflow.job.projection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.eventflow.job.config.InvalidConfigurationException;
import io.eventflow.job.projection.order.OrderProjection;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.writer.example.order.Orders;
import io.eventflow.writer.upcast.Upcasters;

/**
 * The projections one job runs, and the schema history (upcasters) their events are lifted through first.
 */
public final class ProjectionRegistry implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Supplier<Projection<?>>> BUILT_IN = Map.of(
        OrderProjection.NAME, OrderProjection::new,
        StreamSummaryProjection.NAME, StreamSummaryProjection::new);

    private final List<Projection<?>> projections;
    private final Upcasters upcasters;

    public ProjectionRegistry(List<Projection<?>> projections, Upcasters upcasters) {
        Set<String> names = new HashSet<>();
        for (Projection<?> projection : projections) {
            if (!names.add(projection.name())) {
                throw new IllegalArgumentException("two projections are named '" + projection.name() + "'");
            }
        }
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("a job needs at least one projection");
        }
        this.projections = List.copyOf(projections);
        this.upcasters = upcasters;
    }

    /** The shipped projections with these names, with the Order events' upcasters. */
    public static ProjectionRegistry builtIn(List<String> names) {
        List<Projection<?>> selected = new ArrayList<>();
        for (String name : names) {
            Supplier<Projection<?>> factory = BUILT_IN.get(name.trim());
            if (factory == null) {
                throw new InvalidConfigurationException("option 'projections' names an unknown projection '" + name
                    + "'; known: " + BUILT_IN.keySet().stream().sorted().toList());
            }
            selected.add(factory.get());
        }
        return new ProjectionRegistry(selected, Orders.UPCASTERS);
    }

    public List<Projection<?>> projections() {
        return projections;
    }

    public Upcasters upcasters() {
        return upcasters;
    }
}
