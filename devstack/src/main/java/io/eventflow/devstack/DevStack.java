package io.eventflow.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.java.utils.ParameterTool;

import io.eventflow.devstack.flink.EmbeddedFlinkCluster;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;

/**
 * The whole stack in one JVM: the MongoDB emulator, a Kafka broker and a Flink cluster with its dashboard. Once
 * everything answers it prints exactly
 *
 * <pre>
 * mongodb=&lt;uri&gt;
 * kafka=&lt;host:port&gt;
 * flink=&lt;http url&gt;
 * ready
 * </pre>
 *
 * and runs until interrupted. Options: {@code --mongodb-port} (27017), {@code --kafka-port} (9092),
 * {@code --flink-port} (8081), {@code --data-dir} (.devstack), {@code --oplog-capacity} (1000000),
 * {@code --replica-set} (rs0), {@code --only mongodb,kafka,flink}. Port 0 picks a free port.
 */
public final class DevStack {

    private DevStack() {
    }

    public static void main(String[] args) throws Exception {
        Started stack;
        try {
            stack = start(ParameterTool.fromArgs(args));
        } catch (RuntimeException e) {
            System.err.println("devstack failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        stack.lines().forEach(System.out::println);
        System.out.println("ready");
        System.out.flush();
        Foreground.runUntilStopped(stack.components());
    }

    /**
     * The servers a start brought up (null for those left out by {@code --only}), in start order, and the
     * {@code mongodb=}, {@code kafka=} and {@code flink=} lines that announce them.
     */
    public record Started(EmbeddedMongoServer mongo, EmbeddedKafkaBroker kafka, EmbeddedFlinkCluster flink,
                          List<AutoCloseable> components, List<String> lines) {
    }

    /**
     * Starts the stack with this class's options (see above). If one server fails to start, the ones already
     * running are closed and the failure is thrown.
     */
    public static Started start(ParameterTool options) throws IOException {
        Path dataDirectory = Paths.get(options.get("data-dir", ".devstack")).toAbsolutePath();
        List<String> only = List.of(options.get("only", "mongodb,kafka,flink").split(","));
        Files.createDirectories(dataDirectory);

        List<AutoCloseable> started = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        EmbeddedMongoServer mongo = null;
        EmbeddedKafkaBroker kafka = null;
        EmbeddedFlinkCluster flink = null;
        try {
            if (only.contains("mongodb")) {
                mongo = EmbeddedMongoServer.builder()
                    .port(options.getInt("mongodb-port", 27017))
                    .replicaSetName(options.get("replica-set", "rs0"))
                    .oplogCapacity(options.getInt("oplog-capacity", 1_000_000))
                    .build().start();
                started.add(mongo);
                lines.add("mongodb=" + mongo.connectionString());
            }
            if (only.contains("kafka")) {
                kafka = EmbeddedKafkaBroker.builder()
                    .port(options.getInt("kafka-port", 9092))
                    .dataDirectory(fresh(dataDirectory.resolve("kafka")))
                    .build().start();
                started.add(kafka);
                lines.add("kafka=" + kafka.bootstrapServers());
            }
            if (only.contains("flink")) {
                flink = EmbeddedFlinkCluster.builder()
                    .restPort(options.getInt("flink-port", 8081))
                    .dataDirectory(dataDirectory.resolve("flink"))
                    .build().start();
                started.add(flink);
                lines.add("flink=" + flink.restUrl());
            }
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        return new Started(mongo, kafka, flink, started, lines);
    }

    /** The emulator keeps MongoDB in memory, so Kafka starts empty too: their contents always match. */
    private static Path fresh(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (var paths = Files.walk(directory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(directory);
    }
}
