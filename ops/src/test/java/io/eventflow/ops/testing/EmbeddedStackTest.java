package io.eventflow.ops.testing;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedFlinkExtension;
import io.eventflow.devstack.junit.EmbeddedKafkaExtension;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/**
 * The embedded stack the operations tests run on, started once per test class: the MongoDB emulator, a Kafka broker
 * and a Flink cluster with its REST API, to which the tests submit jars as a user would. Each test takes its own
 * slice with {@link #fixture(String)}.
 */
public abstract class EmbeddedStackTest {

    @RegisterExtension
    protected static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
    @RegisterExtension
    protected static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    protected static final EmbeddedFlinkExtension FLINK = new EmbeddedFlinkExtension();

    protected static ProjectionJobFixture fixture(String name) {
        return new ProjectionJobFixture(name, MONGO.connectionString(), KAFKA.bootstrapServers(), FLINK.cluster().restUrl());
    }
}
