package io.eventflow.devstack.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesVersion;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.Ports;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller), in this JVM, on 127.0.0.1 only. The
 * transaction state log and the offsets topic are configured for a single broker, so transactional producers and
 * {@code read_committed} consumers work. The broker can be stopped and started again on the same port with its
 * data intact, to simulate an outage.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
 *     String bootstrapServers = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final int requestedPort;
    private final int defaultPartitions;
    private final Map<String, String> overrides;
    private final Path dataDirectory;
    private final boolean deleteDataOnClose;
    private final String clusterId = Uuid.randomUuid().toString();
    private int port;
    private int controllerPort;
    private boolean formatted;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Builder builder) {
        this.requestedPort = builder.port;
        this.defaultPartitions = builder.defaultPartitions;
        this.overrides = Map.copyOf(builder.overrides);
        try {
            this.deleteDataOnClose = builder.dataDirectory == null;
            this.dataDirectory = builder.dataDirectory != null ? builder.dataDirectory
                : Files.createTempDirectory("eventflow-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for the Kafka broker", e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Formats the storage (first time only), starts the broker and waits until it answers. */
    public synchronized EmbeddedKafkaBroker start() {
        if (server != null) {
            throw new IllegalStateException("the Kafka broker is already running on " + bootstrapServers());
        }
        if (port == 0) {
            port = requestedPort != 0 ? requestedPort : Ports.free(HOST);
            controllerPort = Ports.free(HOST);
        }
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties());
        if (!formatted) {
            format(config);
            formatted = true;
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
            awaitReady();
        } catch (RuntimeException e) {
            stop();
            throw new IllegalStateException("the Kafka broker did not start on " + bootstrapServers() + ": " + e.getMessage(), e);
        }
        log.info("Kafka broker (KRaft) listening on {}", bootstrapServers());
        return this;
    }

    /** Stops the broker but keeps its data and port, so that {@link #start()} brings it back as it was. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            log.info("Kafka broker on {} stopped", bootstrapServers());
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteDataOnClose) {
            deleteRecursively(dataDirectory);
        }
    }

    private Properties brokerProperties() {
        Map<String, String> settings = new HashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        settings.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("log.dirs", dataDirectory.resolve("log").toString());
        settings.put("num.partitions", String.valueOf(defaultPartitions));
        settings.put("default.replication.factor", "1");
        settings.put("min.insync.replicas", "1");
        settings.put("auto.create.topics.enable", "true");
        // a single broker: the internal topics cannot have more replicas than that
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("transaction.max.timeout.ms", String.valueOf(TimeUnit.MINUTES.toMillis(15)));
        settings.putAll(overrides);
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    private void format(KafkaConfig config) {
        MetaProperties metaProperties = new MetaProperties.Builder()
            .setVersion(MetaPropertiesVersion.V1)
            .setClusterId(clusterId)
            .setNodeId(1)
            .build();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<String> directories = List.of(dataDirectory.resolve("log").toString());
        int exitCode = StorageTool$.MODULE$.formatCommand(new PrintStream(output, true, StandardCharsets.UTF_8),
            CollectionConverters.asScala(directories).toSeq(), metaProperties, MetadataVersion.LATEST_PRODUCTION, true);
        if (exitCode != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + dataDirectory + " failed: "
                + output.toString(StandardCharsets.UTF_8));
        }
        Objects.requireNonNull(config);
    }

    private void awaitReady() {
        Properties adminProperties = new Properties();
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminProperties)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("broker not ready after " + STARTUP_TIMEOUT, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker not ready after " + STARTUP_TIMEOUT);
                }
            }
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}", directory, e);
        }
    }

    /** Builds an {@link EmbeddedKafkaBroker}. */
    public static final class Builder {
        private int port;
        private int defaultPartitions = 1;
        private Path dataDirectory;
        private final Map<String, String> overrides = new HashMap<>();

        private Builder() {
        }

        /** The client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = Ports.check("port", port);
            return this;
        }

        /** Partitions of automatically created topics (default 1). */
        public Builder defaultPartitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("defaultPartitions must be at least 1, was " + partitions);
            }
            this.defaultPartitions = partitions;
            return this;
        }

        /** Where the broker keeps its data; by default a temporary directory deleted on close. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** Any broker setting, for example {@code brokerProperty("transaction.max.timeout.ms", "60000")}. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }
    }
}
