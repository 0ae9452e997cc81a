package io.eventflow.job.projection;

import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.config.InvalidConfigurationException;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/**
 * The projections on the job's classpath: every {@link ProjectionProvider} a {@link ServiceLoader} finds, with where
 * each came from (the provider class and its jar), so that a mistake in the {@code projections} option or a clash
 * between two jars can be named precisely.
 */
public final class ProjectionCatalog {

    /** One discovered projection and its origin. */
    public record Entry(String name, Object projection, String provider, String location) {

        public boolean isCrossAggregate() {
            return projection instanceof CrossAggregateProjection<?>;
        }

        @Override
        public String toString() {
            return name + " (" + (isCrossAggregate() ? "cross-aggregate, " : "") + "from " + provider + " in " + location + ")";
        }
    }

    private record Provided(ProjectionProvider provider, String location) {
    }

    private final Map<String, Entry> entries;
    private final Upcasters upcasters;

    private ProjectionCatalog(Map<String, Entry> entries, Upcasters upcasters) {
        this.entries = entries;
        this.upcasters = upcasters;
    }

    /** The projections the class loader's providers give. */
    public static ProjectionCatalog discover(ClassLoader classLoader) {
        List<Provided> providers = new ArrayList<>();
        try {
            for (ProjectionProvider provider : ServiceLoader.load(ProjectionProvider.class, classLoader)) {
                providers.add(new Provided(provider, locationOf(provider.getClass())));
            }
        } catch (ServiceConfigurationError e) {
            throw new InvalidConfigurationException("a projection provider cannot be loaded: " + e.getMessage()
                + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
        }
        return of(providers);
    }

    /** A catalog of the given providers, as if discovered (tests). */
    public static ProjectionCatalog of(ProjectionProvider... providers) {
        List<Provided> provided = new ArrayList<>();
        for (ProjectionProvider provider : providers) {
            provided.add(new Provided(provider, locationOf(provider.getClass())));
        }
        return of(provided);
    }

    private static ProjectionCatalog of(List<Provided> providers) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> upcastersOf = new LinkedHashMap<>();
        Upcasters.Builder upcasters = Upcasters.builder();
        for (Provided provided : providers) {
            String providerName = provided.provider().getClass().getName();
            List<Object> projections = new ArrayList<>();
            try {
                projections.addAll(provided.provider().projections());
                projections.addAll(provided.provider().crossAggregateProjections());
            } catch (RuntimeException e) {
                throw new InvalidConfigurationException("projection provider " + providerName + " in "
                    + provided.location() + " failed to list its projections: " + e);
            }
            for (Object projection : projections) {
                String name = nameOf(projection, providerName);
                Entry entry = new Entry(name, projection, providerName, provided.location());
                Entry clash = entries.putIfAbsent(name, entry);
                if (clash != null) {
                    throw new InvalidConfigurationException("two projections are named '" + name + "': " + clash
                        + " and " + entry + "; rename one (the name keys its state in savepoints)");
                }
            }
            Upcasters provides = provided.provider().upcasters();
            if (provides != null) {
                for (String eventType : provides.eventTypes()) {
                    String other = upcastersOf.putIfAbsent(eventType, providerName + " in " + provided.location());
                    if (other != null) {
                        throw new InvalidConfigurationException("two projection providers give upcasters of "
                            + eventType + ": " + other + " and " + providerName + " in " + provided.location()
                            + "; an event type has one schema history");
                    }
                }
                upcasters.include(provides);
            }
        }
        return new ProjectionCatalog(entries, upcasters.build());
    }

    private static String nameOf(Object projection, String provider) {
        String name;
        if (projection instanceof Projection<?> perAggregate) {
            name = perAggregate.name();
        } else if (projection instanceof CrossAggregateProjection<?> crossAggregate) {
            name = crossAggregate.name();
        } else {
            throw new InvalidConfigurationException("projection provider " + provider + " returned " + projection
                + ", which is neither a Projection nor a CrossAggregateProjection");
        }
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new InvalidConfigurationException("projection " + projection.getClass().getName() + " from " + provider
                + " has the name '" + name + "': use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        return name;
    }

    private static String locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return location == null ? "an unknown location" : location.toString();
    }

    /** Every discovered projection, in discovery order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The upcasters of all providers together. */
    public Upcasters upcasters() {
        return upcasters;
    }

    /**
     * The projections to run: those named, in that order, or every discovered one if {@code names} is empty.
     *
     * @throws InvalidConfigurationException naming an unknown projection and listing what was discovered and from where
     */
    public ProjectionRegistry select(List<String> names) {
        List<Entry> selected = new ArrayList<>();
        if (names == null || names.isEmpty()) {
            selected.addAll(entries.values());
        } else {
            for (String raw : names) {
                String name = raw.trim();
                Entry entry = entries.get(name);
                if (entry == null) {
                    throw new InvalidConfigurationException("option 'projections' names an unknown projection '" + name
                        + "'; discovered: " + describe());
                }
                if (!selected.contains(entry)) {
                    selected.add(entry);
                }
            }
        }
        if (selected.isEmpty()) {
            throw new InvalidConfigurationException("no projection was found on the classpath: add a jar with a "
                + "ProjectionProvider (META-INF/services/" + ProjectionProvider.class.getName() + ")");
        }
        List<Projection<?>> perAggregate = new ArrayList<>();
        List<CrossAggregateProjection<?>> crossAggregate = new ArrayList<>();
        for (Entry entry : selected) {
            if (entry.projection() instanceof CrossAggregateProjection<?> projection) {
                crossAggregate.add(projection);
            } else {
                perAggregate.add((Projection<?>) entry.projection());
            }
        }
        return new ProjectionRegistry(perAggregate, crossAggregate, upcasters);
    }

    /** What was discovered, one entry per projection, for messages and logs. */
    public String describe() {
        return entries.isEmpty() ? "nothing" : entries.values().stream().map(Entry::toString)
            .collect(Collectors.joining(", ", "[", "]"));
    }
}
