package io.eventflow.devstack.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.Ports;

/**
 * A Flink cluster in this JVM: a MiniCluster with the REST API and the web dashboard (job submission included) on
 * 127.0.0.1, and checkpoint and savepoint directories on local disk. Jobs are submitted to it like to a standalone
 * cluster, through the REST API or {@code flink run -m}.
 *
 * <pre>{@code
 * try (EmbeddedFlinkCluster flink = EmbeddedFlinkCluster.builder().restPort(8081).build().start()) {
 *     System.out.println(flink.restUrl()); // the dashboard
 * }
 * }</pre>
 */
public final class EmbeddedFlinkCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedFlinkCluster.class);
    private static final String HOST = "127.0.0.1";

    private final Configuration configuration;
    private final int taskManagers;
    private final int slotsPerTaskManager;
    private final Path dataDirectory;
    private MiniCluster cluster;
    private URI restAddress;

    private EmbeddedFlinkCluster(Builder builder) {
        this.taskManagers = builder.taskManagers;
        this.slotsPerTaskManager = builder.slotsPerTaskManager;
        try {
            this.dataDirectory = builder.dataDirectory != null ? builder.dataDirectory
                : Files.createTempDirectory("eventflow-flink-");
            Files.createDirectories(dataDirectory.resolve("checkpoints"));
            Files.createDirectories(dataDirectory.resolve("savepoints"));
            Files.createDirectories(dataDirectory.resolve("uploads"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Flink data directory", e);
        }
        Configuration configuration = new Configuration();
        configuration.set(RestOptions.ADDRESS, HOST);
        configuration.set(RestOptions.BIND_ADDRESS, HOST);
        configuration.set(RestOptions.BIND_PORT, String.valueOf(builder.restPort));
        configuration.set(WebOptions.SUBMIT_ENABLE, true);
        configuration.set(WebOptions.CANCEL_ENABLE, true);
        configuration.set(WebOptions.UPLOAD_DIR, dataDirectory.resolve("uploads").toString());
        configuration.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dataDirectory.resolve("checkpoints").toUri().toString());
        configuration.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, dataDirectory.resolve("savepoints").toUri().toString());
        configuration.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        configuration.set(TaskManagerOptions.NUM_TASK_SLOTS, slotsPerTaskManager);
        // the dashboard, bin/status and run-local's progress lines read metrics through the REST API's fetcher:
        // every 2 s rather than the default 10 s, so they follow a local run closely
        configuration.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, 2_000L);
        builder.settings.forEach(configuration::setString);
        this.configuration = configuration;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the cluster and its REST endpoint. */
    public synchronized EmbeddedFlinkCluster start() {
        if (cluster != null) {
            throw new IllegalStateException("the Flink cluster is already running at " + restUrl());
        }
        MiniCluster miniCluster = new MiniCluster(new MiniClusterConfiguration.Builder()
            .setConfiguration(configuration)
            .setNumTaskManagers(taskManagers)
            .setNumSlotsPerTaskManager(slotsPerTaskManager)
            .build());
        try {
            miniCluster.start();
            restAddress = miniCluster.getRestAddress().get();
        } catch (Exception e) {
            try {
                miniCluster.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw new IllegalStateException("the Flink cluster did not start (is REST port "
                + configuration.get(RestOptions.BIND_PORT) + " in use?): " + e.getMessage(), e);
        }
        cluster = miniCluster;
        log.info("Flink cluster with dashboard at {}", restUrl());
        return this;
    }

    /** The dashboard and REST API, {@code http://127.0.0.1:<port>}. */
    public String restUrl() {
        return "http://" + HOST + ":" + restAddress.getPort();
    }

    public int restPort() {
        return restAddress.getPort();
    }

    /** The running MiniCluster, for submitting job graphs directly. */
    public MiniCluster miniCluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Flink cluster is not running");
        }
        return cluster;
    }

    /** The total number of task slots. */
    public int slots() {
        return taskManagers * slotsPerTaskManager;
    }

    public Path checkpointDirectory() {
        return dataDirectory.resolve("checkpoints");
    }

    public Path savepointDirectory() {
        return dataDirectory.resolve("savepoints");
    }

    @Override
    public synchronized void close() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                log.warn("the Flink cluster did not stop cleanly", e);
            }
            cluster = null;
        }
    }

    /** Builds an {@link EmbeddedFlinkCluster}. */
    public static final class Builder {
        private int restPort = 8081;
        private int taskManagers = 1;
        private int slotsPerTaskManager = 4;
        private Path dataDirectory;
        private final Map<String, String> settings = new HashMap<>();

        private Builder() {
        }

        /** The port of the REST API and dashboard (default 8081); 0 picks a free one. */
        public Builder restPort(int restPort) {
            this.restPort = Ports.check("restPort", restPort);
            return this;
        }

        public Builder taskManagers(int taskManagers) {
            if (taskManagers < 1) {
                throw new IllegalArgumentException("taskManagers must be at least 1, was " + taskManagers);
            }
            this.taskManagers = taskManagers;
            return this;
        }

        public Builder slotsPerTaskManager(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("slotsPerTaskManager must be at least 1, was " + slots);
            }
            this.slotsPerTaskManager = slots;
            return this;
        }

        /** Holds checkpoints/, savepoints/ and uploaded jars; by default a temporary directory. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** Any Flink setting, in flink-conf form, for example {@code setting("state.backend.type", "rocksdb")}. */
        public Builder setting(String key, String value) {
            settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public EmbeddedFlinkCluster build() {
            return new EmbeddedFlinkCluster(this);
        }
    }
}
