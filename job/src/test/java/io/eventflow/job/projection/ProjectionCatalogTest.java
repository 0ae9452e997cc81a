package io.eventflow.job.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.config.InvalidConfigurationException;
import io.eventflow.job.testing.PerCategory;
import io.eventflow.job.testing.Tally;
import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/** How the job finds the users' projections, and what it refuses before it starts. */
class ProjectionCatalogTest {

    @TempDir
    Path userJar;

    /** A class loader that sees the job (with its built-in projections) and a "user jar" naming these providers. */
    private ClassLoader withProviders(Class<?>... providers) throws IOException {
        Path services = userJar.resolve("META-INF/services/" + ProjectionProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, java.util.Arrays.stream(providers).map(Class::getName).toList());
        return new URLClassLoader(new URL[] {userJar.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void theBuiltInAndTheUsersProjectionsAreDiscoveredAndAllRunByDefault() throws Exception {
        ProjectionCatalog catalog = ProjectionCatalog.discover(withProviders(PerCategory.Provider.class));

        assertThat(catalog.entries()).extracting(ProjectionCatalog.Entry::name)
            .containsExactlyInAnyOrder("stream-summary", "tally", "per-category");
        ProjectionRegistry all = catalog.select(List.of());
        assertThat(all.names()).containsExactlyInAnyOrder("stream-summary", "tally", "per-category");
        assertThat(all.crossAggregateProjections()).extracting(projection -> projection.name()).containsExactly("per-category");
        assertThat(all.upcasters().currentVersion(Tally.TALLIED)).isEqualTo(2);
        assertThat(catalog.select(List.of(" tally ")).names()).containsExactly("tally");
    }

    @Test
    void anUnknownProjectionIsNamedWithWhatWasDiscoveredAndFromWhere() throws Exception {
        ProjectionCatalog catalog = ProjectionCatalog.discover(withProviders(Tally.Provider.class));

        assertThatThrownBy(() -> catalog.select(List.of("tally", "shopping-cart")))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageStartingWith("option 'projections' names an unknown projection 'shopping-cart'; discovered: [")
            .hasMessageContaining("stream-summary (from io.eventflow.job.projection.summary.BuiltInProjections in file:")
            .hasMessageContaining("tally (from io.eventflow.job.testing.Tally$Provider in file:");
    }

    @Test
    void aMisspeltProjectionGetsASuggestion() throws Exception {
        ProjectionCatalog catalog = ProjectionCatalog.discover(withProviders(Tally.Provider.class));

        assertThatThrownBy(() -> catalog.select(List.of("talley")))
            .hasMessageStartingWith("option 'projections' names an unknown projection 'talley' (did you mean 'tally'?); "
                + "discovered: [");
    }

    /**
     * What Flink's child-first class loader shows a job when a provider sits on its parent's class path (an in-process
     * cluster's JVM class path, or a cluster's lib/): a service file naming a class linked against the parent's copy of
     * the projection API. It cannot run in the job; it is named and skipped rather than failing the job's start.
     */
    @Test
    void aProviderBuiltAgainstAnotherCopyOfTheApiIsIgnoredAndNamed() throws Exception {
        Path services = userJar.resolve("META-INF/services/" + ProjectionProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, List.of(Tally.Provider.class.getName()));
        URL api = ProjectionProvider.class.getProtectionDomain().getCodeSource().getLocation();
        URL core = Upcasters.class.getProtectionDomain().getCodeSource().getLocation();
        URL provider = Tally.Provider.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader parentsCopy = new URLClassLoader(new URL[] {userJar.toUri().toURL(), api, core, provider},
                ClassLoader.getPlatformClassLoader())) {
            ProjectionCatalog catalog = ProjectionCatalog.discover(parentsCopy);

            assertThat(catalog.entries()).isEmpty();
            assertThat(catalog.ignored()).singleElement().asString()
                .startsWith(Tally.Provider.class.getName() + " in " + provider);
            assertThatThrownBy(() -> catalog.select(List.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("no projection was found on the classpath")
                .hasMessageContaining("; ignored: [" + Tally.Provider.class.getName() + " in ");
        }
    }

    @Test
    void twoProjectionsOfOneNameAreRefusedNamingBothOrigins() throws Exception {
        assertThatThrownBy(() -> ProjectionCatalog.discover(withProviders(Tally.Provider.class, PerCategory.Provider.class)))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageStartingWith("two projections are named 'tally': tally (from io.eventflow.job.testing.Tally$Provider")
            .hasMessageContaining("and tally (from io.eventflow.job.testing.PerCategory$Provider");
    }

    @Test
    void twoSchemaHistoriesOfOneEventTypeAreRefused() {
        ProjectionProvider other = new ProjectionProvider() {
            @Override
            public Upcasters upcasters() {
                return Upcasters.builder().register(Tally.TALLIED, 1, payload -> payload).build();
            }
        };

        assertThatThrownBy(() -> ProjectionCatalog.of(new Tally.Provider(), other))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("two projection providers give upcasters of Tallied: io.eventflow.job.testing.Tally$Provider");
    }

    @Test
    void aProviderThatCannotBeLoadedIsNamed() throws Exception {
        Path services = userJar.resolve("META-INF/services/" + ProjectionProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.MissingProvider\n");
        ClassLoader loader = new URLClassLoader(new URL[] {userJar.toUri().toURL()}, getClass().getClassLoader());

        assertThatThrownBy(() -> ProjectionCatalog.discover(loader))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("a projection provider cannot be loaded")
            .hasMessageContaining("com.example.MissingProvider");
    }

    /** A state Flink would hand to Kryo: a List field. */
    public static class ListState {
        public List<String> items;

        public ListState() {
        }
    }

    @Test
    void aStateTypeThatWouldFallBackToKryoIsRefusedNamingTheField() {
        Projection<ListState> kryo = new Projection<>() {
            public String name() {
                return "kryo";
            }

            public String collection() {
                return "kryo";
            }

            public Class<ListState> stateType() {
                return ListState.class;
            }

            public ListState initialState(String aggregateId) {
                return new ListState();
            }

            public ListState apply(ListState state, io.eventflow.projection.ProjectedEvent event) {
                return state;
            }

            public Map<String, ?> toDocument(ListState state) {
                return Map.of();
            }
        };

        assertThatThrownBy(() -> ProjectionRegistry.of(Upcasters.NONE, kryo))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageStartingWith("projection 'kryo': its state type " + ListState.class.getName()
                + " would be serialized with Kryo, because ListState.items (java.util.List) is not a type Flink serializes itself");
    }

    @Test
    void twoProjectionsCannotShareACollectionAndReservedNamesAreRefused() {
        Tally other = new Tally() {
            @Override
            public String name() {
                return "other";
            }
        };
        Tally aliases = new Tally() {
            @Override
            public String collection() {
                return "aliases";
            }
        };

        assertThatThrownBy(() -> ProjectionRegistry.of(Upcasters.NONE, new Tally(), other))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessage("projections 'tally' and 'other' both write the collection 'tallies'; give each its own");
        assertThatThrownBy(() -> ProjectionRegistry.of(Upcasters.NONE, aliases))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining("has the collection 'aliases', which cannot hold a read model");
    }
}
