package io.eventflow.devstack.junit;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;

/**
 * Runs an {@link EmbeddedKafkaBroker} for the tests of a class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * }</pre>
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Consumer<EmbeddedKafkaBroker.Builder> configuration;
    private EmbeddedKafkaBroker broker;

    public EmbeddedKafkaExtension() {
        this(builder -> { });
    }

    public EmbeddedKafkaExtension(Consumer<EmbeddedKafkaBroker.Builder> configuration) {
        this.configuration = configuration;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        configuration.accept(builder);
        broker = builder.build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public EmbeddedKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the Kafka broker runs only while the test class runs");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker();
    }
}
