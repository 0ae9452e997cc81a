package io.eventflow.systemtests.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedKafkaExtension;
import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/**
 * The embedded stack the job's end-to-end and fault tests run on, started once per test class: the MongoDB
 * emulator, a Kafka broker with 3 partitions per topic, and a MiniCluster (one task manager, 4 slots) whose metrics
 * the tests can read through {@link CapturedMetrics}. Each test takes its own slice of it with a {@link JobStack}.
 */
public abstract class EmbeddedStackTest {

    @RegisterExtension
    protected static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @RegisterExtension
    protected static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension(builder -> builder.defaultPartitions(3));

    @RegisterExtension
    protected static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setConfiguration(CapturedMetrics.configuration()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    /** A slice of the stack for one test: its own databases, topics and transactional ids. */
    protected static JobStack stack(String name) {
        return new JobStack(MONGO.connectionString(), KAFKA.bootstrapServers(), name);
    }
}
