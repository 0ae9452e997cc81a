package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.Ports;

/**
 * A standalone ZooKeeper server in this JVM, on 127.0.0.1 only, for a {@link FlinkStandaloneCluster} with
 * ZooKeeper high availability: JobManager leader election, the job graphs and the completed checkpoints' pointers
 * live in it (the checkpoints themselves in {@code high-availability.storageDir}). It is ZooKeeper's own
 * {@code ZooKeeperServerEmbedded} on its NIO connection factory (no Netty), with the admin server off.
 *
 * <pre>{@code
 * try (EmbeddedZooKeeper zooKeeper = EmbeddedZooKeeper.builder().build().start()) {
 *     String quorum = zooKeeper.connectString(); // 127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    private static final String HOST = "127.0.0.1";

    private final Path dataDirectory;
    private final int requestedPort;
    private final Duration tickTime;
    private int port;
    private ZooKeeperServerEmbedded server;

    private EmbeddedZooKeeper(Builder builder) {
        this.requestedPort = builder.port;
        this.tickTime = builder.tickTime;
        try {
            this.dataDirectory = builder.dataDirectory != null ? builder.dataDirectory
                : Files.createTempDirectory("eventflow-zookeeper-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for ZooKeeper", e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the server and waits until it serves clients. */
    public synchronized EmbeddedZooKeeper start() {
        if (server != null) {
            throw new IllegalStateException("ZooKeeper is already running on " + connectString());
        }
        port = requestedPort != 0 ? requestedPort : Ports.free(HOST);
        Properties properties = new Properties();
        properties.setProperty("clientPort", String.valueOf(port));
        properties.setProperty("clientPortAddress", HOST);
        properties.setProperty("tickTime", String.valueOf(tickTime.toMillis()));
        // sessions may last from 2 to 20 ticks (ZooKeeper's defaults); Flink asks for
        // high-availability.zookeeper.client.session-timeout and gets it clamped to this range
        properties.setProperty("minSessionTimeout", String.valueOf(2 * tickTime.toMillis()));
        properties.setProperty("maxSessionTimeout", String.valueOf(20 * tickTime.toMillis()));
        properties.setProperty("admin.enableServer", "false");
        properties.setProperty("4lw.commands.whitelist", "ruok,stat,srvr,mntr");
        try {
            Files.createDirectories(dataDirectory);
            ZooKeeperServerEmbedded embedded = ZooKeeperServerEmbedded.builder()
                .baseDir(dataDirectory)
                .configuration(properties)
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
            embedded.start(Duration.ofSeconds(30).toMillis());
            server = embedded;
        } catch (Exception e) {
            throw new IllegalStateException("ZooKeeper did not start on " + HOST + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("ZooKeeper serving on {} (data in {})", connectString(), dataDirectory);
        return this;
    }

    /** {@code 127.0.0.1:<port>}: the value of {@code high-availability.zookeeper.quorum}. */
    public String connectString() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
            log.info("ZooKeeper on {} stopped", connectString());
        }
    }

    /** Builds an {@link EmbeddedZooKeeper}. */
    public static final class Builder {
        private int port;
        private Path dataDirectory;
        private Duration tickTime = Duration.ofSeconds(2);

        private Builder() {
        }

        /** The client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = Ports.check("port", port);
            return this;
        }

        /** Where the snapshots and transaction logs go; by default a temporary directory. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** ZooKeeper's time unit (default 2 s, ZooKeeper's own): sessions last 2 to 20 ticks. */
        public Builder tickTime(Duration tickTime) {
            Objects.requireNonNull(tickTime, "tickTime");
            if (tickTime.isNegative() || tickTime.isZero()) {
                throw new IllegalArgumentException("tickTime must be positive, was " + tickTime);
            }
            this.tickTime = tickTime;
            return this;
        }

        public EmbeddedZooKeeper build() {
            return new EmbeddedZooKeeper(this);
        }
    }
}
