package io.eventflow.devstack.cluster;

import java.util.Objects;
import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a {@link FlinkStandaloneCluster} (separate JobManager and TaskManager processes, REST API on a free port) for
 * the tests of a class; {@code @AfterAll} methods still see it, it stops after them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FlinkStandaloneClusterExtension CLUSTER =
 *     new FlinkStandaloneClusterExtension(builder -> builder.taskManagers(2).highAvailability());
 *
 * CLUSTER.cluster().restUrl();
 * }</pre>
 */
public final class FlinkStandaloneClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private final Consumer<FlinkStandaloneCluster.Builder> configuration;
    private FlinkStandaloneCluster cluster;

    /** Two TaskManagers, the repository's configuration, no high availability. */
    public FlinkStandaloneClusterExtension() {
        this(builder -> { });
    }

    public FlinkStandaloneClusterExtension(Consumer<FlinkStandaloneCluster.Builder> configuration) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        FlinkStandaloneCluster.Builder builder = FlinkStandaloneCluster.builder();
        configuration.accept(builder);
        cluster = builder.build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public FlinkStandaloneCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster runs only while the test class runs");
        }
        return cluster;
    }
}
