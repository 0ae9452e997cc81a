package io.eventflow.devstack.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.flink.api.java.utils.ParameterTool;

import io.eventflow.devstack.Foreground;

/**
 * {@code bin/cluster}: a Flink standalone cluster of separate processes ({@link FlinkStandaloneCluster}). Once every
 * TaskManager is registered it prints
 *
 * <pre>
 * flink=http://127.0.0.1:&lt;port&gt;
 * zookeeper=127.0.0.1:&lt;port&gt;     (with --ha only)
 * ready
 * </pre>
 *
 * and runs until interrupted (Ctrl-C, SIGTERM), then stops every process. Options: {@code --task-managers} (2),
 * {@code --slots} (taskmanager.numberOfTaskSlots of the configuration), {@code --flink-port} (8081; 0 picks a free
 * port), {@code --ha} (ZooKeeper high availability with an in-process ZooKeeper), {@code --work-dir},
 * {@code --config} (flink-conf/config.yaml), {@code --overlay} (flink-conf/local.yaml).
 */
public final class ClusterCommand {

    private static final Set<String> OPTIONS = Set.of("task-managers", "slots", "flink-port", "ha", "work-dir",
        "config", "overlay");

    private ClusterCommand() {
    }

    public static void main(String[] args) throws Exception {
        FlinkStandaloneCluster cluster;
        try {
            cluster = builder(ParameterTool.fromArgs(args)).build().start();
        } catch (RuntimeException e) {
            System.err.println("cluster failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        lines(cluster).forEach(System.out::println);
        System.out.println("ready");
        System.out.flush();
        Foreground.runUntilStopped(List.of(cluster));
    }

    /** The builder the command line asks for; unknown options are refused, naming the known ones. */
    static FlinkStandaloneCluster.Builder builder(ParameterTool options) {
        for (String key : options.toMap().keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; the options are --"
                    + String.join(", --", OPTIONS.stream().sorted().toList()));
            }
        }
        FlinkStandaloneCluster.Builder builder = FlinkStandaloneCluster.builder()
            .taskManagers(options.getInt("task-managers", 2))
            .restPort(options.getInt("flink-port", 8081));
        if (options.has("slots")) {
            builder.slotsPerTaskManager(options.getInt("slots"));
        }
        if (options.has("ha")) {
            builder.highAvailability();
        }
        if (options.has("work-dir")) {
            builder.workDirectory(Path.of(options.get("work-dir")));
        }
        if (options.has("config")) {
            builder.configFile(Path.of(options.get("config")));
        }
        if (options.has("overlay")) {
            builder.overlay(Path.of(options.get("overlay")));
        }
        return builder;
    }

    /** {@code flink=} and, with high availability, {@code zookeeper=}. */
    static List<String> lines(FlinkStandaloneCluster cluster) {
        List<String> lines = new ArrayList<>();
        lines.add("flink=" + cluster.restUrl());
        cluster.zooKeeperQuorum().ifPresent(quorum -> lines.add("zookeeper=" + quorum));
        return lines;
    }
}
