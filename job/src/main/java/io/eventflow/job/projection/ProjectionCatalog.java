package io.eventflow.job.projection;

import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.config.InvalidConfigurationException;
import io.eventflow.job.config.Suggestions;
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

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionCatalog.class);
    /** How {@link ServiceLoader} reports a provider that implements another copy of the service interface. */
    private static final String NOT_A_SUBTYPE = " not a subtype";

    private final Map<String, Entry> entries;
    private final List<String> ignored;
    private final Upcasters upcasters;

    private ProjectionCatalog(Map<String, Entry> entries, List<String> ignored, Upcasters upcasters) {
        this.entries = entries;
        this.ignored = ignored;
        this.upcasters = upcasters;
    }

    /**
     * The projections the class loader's providers give.
     *
     * <p>A provider whose class implements another copy of {@link ProjectionProvider} than the job's is ignored, with a
     * warning: Flink's child-first user-code class loader also lists the service files of its parent (the cluster's
     * {@code lib/}, or the JVM's class path when the cluster runs in-process), and a provider found there is linked
     * against the parent's copy of the projection API, not the job jar's, so it cannot run in this job.
     */
    public static ProjectionCatalog discover(ClassLoader classLoader) {
        List<Provided> providers = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Iterator<ProjectionProvider> found = ServiceLoader.load(ProjectionProvider.class, classLoader).iterator();
        while (true) {
            try {
                if (!found.hasNext()) {
                    break;
                }
                ProjectionProvider provider = found.next();
                providers.add(new Provided(provider, locationOf(provider.getClass())));
            } catch (ServiceConfigurationError e) {
                String message = String.valueOf(e.getMessage());
                if (e.getCause() != null || !message.endsWith(NOT_A_SUBTYPE)) {
                    throw new InvalidConfigurationException("a projection provider cannot be loaded: " + message
                        + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
                }
                String provider = message.substring(message.lastIndexOf(": ") + 2, message.length() - NOT_A_SUBTYPE.length());
                URL where = classLoader.getResource(provider.replace('.', '/') + ".class");
                String foreign = provider + " in " + (where == null ? "an unknown location" : where);
                LOG.warn("ignoring projection provider {}: it implements another copy of {} than the job's, so it was "
                    + "found through a parent class loader (the cluster's lib/ or the JVM's class path) rather than in "
                    + "the job's jars; put it into the job jar or add its jar to the job", foreign,
                    ProjectionProvider.class.getName());
                ignored.add(foreign);
            }
        }
        return of(providers, ignored);
    }

    /** A catalog of the given providers, as if discovered (tests). */
    public static ProjectionCatalog of(ProjectionProvider... providers) {
        List<Provided> provided = new ArrayList<>();
        for (ProjectionProvider provider : providers) {
            provided.add(new Provided(provider, locationOf(provider.getClass())));
        }
        return of(provided, List.of());
    }

    private static ProjectionCatalog of(List<Provided> providers, List<String> ignored) {
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
        return new ProjectionCatalog(entries, List.copyOf(ignored), upcasters.build());
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
                        + "'" + Suggestions.closest(name, entries.keySet()).map(known -> " (did you mean '" + known + "'?)")
                            .orElse("") + "; discovered: " + describe());
                }
                if (!selected.contains(entry)) {
                    selected.add(entry);
                }
            }
        }
        if (selected.isEmpty()) {
            throw new InvalidConfigurationException("no projection was found on the classpath: add a jar with a "
                + "ProjectionProvider (META-INF/services/" + ProjectionProvider.class.getName() + ")"
                + (ignored.isEmpty() ? "" : "; ignored: " + ignored));
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

    /** Providers found through a parent class loader, linked against another copy of the projection API. */
    public List<String> ignored() {
        return ignored;
    }

    /** What was discovered, one entry per projection, for messages and logs. */
    public String describe() {
        String discovered = entries.isEmpty() ? "nothing" : entries.values().stream().map(Entry::toString)
            .collect(Collectors.joining(", ", "[", "]"));
        return ignored.isEmpty() ? discovered : discovered + "; ignored, as built against another copy of the "
            + "projection API than the job's: " + ignored;
    }
}
