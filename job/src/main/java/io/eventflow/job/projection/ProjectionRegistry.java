package io.eventflow.job.projection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.config.InvalidConfigurationException;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.Projection;

/**
 * The projections one job runs, per aggregate and across aggregates, and the schema history (upcasters) their events
 * are lifted through. Checked when built: unique names and collections, valid collection names, and state types that
 * Flink serializes without Kryo. Shipped with the job graph, so everything in it is serializable.
 */
public final class ProjectionRegistry implements Serializable {

    private static final long serialVersionUID = 2L;

    private final List<Projection<?>> perAggregate;
    private final List<CrossAggregateProjection<?>> crossAggregate;
    private final Upcasters upcasters;

    public ProjectionRegistry(List<Projection<?>> perAggregate, List<CrossAggregateProjection<?>> crossAggregate,
                              Upcasters upcasters) {
        this.perAggregate = List.copyOf(perAggregate);
        this.crossAggregate = List.copyOf(crossAggregate);
        this.upcasters = upcasters;
        if (this.perAggregate.isEmpty() && this.crossAggregate.isEmpty()) {
            throw new InvalidConfigurationException("a job needs at least one projection");
        }
        Map<String, String> names = new HashMap<>();
        Map<String, String> collections = new HashMap<>();
        for (Projection<?> projection : this.perAggregate) {
            check(names, collections, projection.name(), projection.collection(), projection.stateType());
        }
        for (CrossAggregateProjection<?> projection : this.crossAggregate) {
            check(names, collections, projection.name(), projection.collection(), projection.stateType());
        }
    }

    /** Per-aggregate projections only (tests, benchmarks). */
    public static ProjectionRegistry of(Upcasters upcasters, Projection<?>... projections) {
        return new ProjectionRegistry(List.of(projections), List.of(), upcasters);
    }

    private static void check(Map<String, String> names, Map<String, String> collections, String name,
                              String collection, Class<?> stateType) {
        if (names.put(name, name) != null) {
            throw new InvalidConfigurationException("two projections are named '" + name + "'");
        }
        if (collection == null || collection.isBlank() || collection.contains("$") || collection.contains("\u0000")
            || collection.startsWith("system.") || collection.equals(ReadModelFields.ALIASES_COLLECTION)
            || collection.endsWith(ReadModelFields.APPLIED_SUFFIX)) {
            throw new InvalidConfigurationException("projection '" + name + "' has the collection '" + collection
                + "', which cannot hold a read model: use a name without '$', not starting with 'system.', not '"
                + ReadModelFields.ALIASES_COLLECTION + "' and not ending in '" + ReadModelFields.APPLIED_SUFFIX + "'");
        }
        String other = collections.put(collection, name);
        if (other != null) {
            throw new InvalidConfigurationException("projections '" + other + "' and '" + name + "' both write the "
                + "collection '" + collection + "'; give each its own");
        }
        if (stateType == null) {
            throw new InvalidConfigurationException("projection '" + name + "' has no stateType()");
        }
        StateTypes.requireFlinkSerializable(name, stateType);
    }

    public List<Projection<?>> projections() {
        return perAggregate;
    }

    public List<CrossAggregateProjection<?>> crossAggregateProjections() {
        return crossAggregate;
    }

    /** Every projection's name, per-aggregate ones first. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        perAggregate.forEach(projection -> names.add(projection.name()));
        crossAggregate.forEach(projection -> names.add(projection.name()));
        return names;
    }

    public Upcasters upcasters() {
        return upcasters;
    }
}
