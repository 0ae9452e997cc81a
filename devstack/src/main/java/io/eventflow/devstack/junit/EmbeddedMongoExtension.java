package io.eventflow.devstack.junit;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.eventflow.devstack.mongo.EmbeddedMongoServer;

/**
 * Runs an {@link EmbeddedMongoServer} for the tests of a class, on a free port.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
 *
 * @Test
 * void test() {
 *     try (MongoClient client = MongoClients.create(MONGO.connectionString())) { ... }
 * }
 * }</pre>
 *
 * Test methods may also declare an {@link EmbeddedMongoServer} parameter.
 */
public final class EmbeddedMongoExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Consumer<EmbeddedMongoServer.Builder> configuration;
    private EmbeddedMongoServer server;

    public EmbeddedMongoExtension() {
        this(builder -> { });
    }

    /** With server settings, for example {@code builder -> builder.oplogCapacity(100)}. */
    public EmbeddedMongoExtension(Consumer<EmbeddedMongoServer.Builder> configuration) {
        this.configuration = configuration;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        EmbeddedMongoServer.Builder builder = EmbeddedMongoServer.builder();
        configuration.accept(builder);
        server = builder.build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public EmbeddedMongoServer server() {
        if (server == null) {
            throw new IllegalStateException("the MongoDB emulator runs only while the test class runs");
        }
        return server;
    }

    public String connectionString() {
        return server().connectionString();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedMongoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }
}
