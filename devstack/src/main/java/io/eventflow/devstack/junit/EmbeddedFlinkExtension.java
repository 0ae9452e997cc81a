package io.eventflow.devstack.junit;

import java.util.function.Consumer;

import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.eventflow.devstack.flink.EmbeddedFlinkCluster;

/**
 * Runs an {@link EmbeddedFlinkCluster} (with REST API and dashboard) for the tests of a class, and makes
 * {@code StreamExecutionEnvironment.getExecutionEnvironment()} submit jobs to it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedFlinkExtension FLINK = new EmbeddedFlinkExtension(builder -> builder.restPort(0));
 * }</pre>
 */
public final class EmbeddedFlinkExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Consumer<EmbeddedFlinkCluster.Builder> configuration;
    private EmbeddedFlinkCluster cluster;

    /** A cluster with its dashboard on a free port. */
    public EmbeddedFlinkExtension() {
        this(builder -> { });
    }

    public EmbeddedFlinkExtension(Consumer<EmbeddedFlinkCluster.Builder> configuration) {
        this.configuration = configuration;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        EmbeddedFlinkCluster.Builder builder = EmbeddedFlinkCluster.builder().restPort(0);
        configuration.accept(builder);
        cluster = builder.build().start();
        TestStreamEnvironment.setAsContext(cluster.miniCluster(), cluster.slots());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestStreamEnvironment.unsetAsContext();
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public EmbeddedFlinkCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Flink cluster runs only while the test class runs");
        }
        return cluster;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedFlinkCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster();
    }
}
