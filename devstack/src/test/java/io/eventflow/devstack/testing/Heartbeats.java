package io.eventflow.devstack.testing;

import java.time.Duration;
import java.util.Map;

import org.apache.flink.util.TimeUtils;

import io.eventflow.devstack.cluster.FlinkStandaloneCluster;

/**
 * The heartbeat settings a cluster runs with (flink-conf/config.yaml, unless a test overrides them), and the
 * detection times they promise, which the process-fault scenarios check.
 *
 * @param interval            {@code heartbeat.interval}
 * @param timeout             {@code heartbeat.timeout}
 * @param rpcFailureThreshold {@code heartbeat.rpc-failure-threshold}: failed heartbeat calls in a row that declare a
 *                            process lost before the timeout (a killed process refuses connections at once)
 */
public record Heartbeats(Duration interval, Duration timeout, int rpcFailureThreshold) {

    /** What the scheduler and the clocks of three processes may add to a detection. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    /** The settings of a running cluster, Flink's defaults where the configuration has none. */
    public static Heartbeats of(FlinkStandaloneCluster cluster) {
        Map<String, String> configuration = cluster.effectiveConfiguration();
        return new Heartbeats(TimeUtils.parseDuration(configuration.getOrDefault("heartbeat.interval", "10 s")),
            TimeUtils.parseDuration(configuration.getOrDefault("heartbeat.timeout", "50 s")),
            Integer.parseInt(configuration.getOrDefault("heartbeat.rpc-failure-threshold", "2")));
    }

    /**
     * Applies the settings named by {@code -Dprocess.faults.settings='heartbeat.timeout=20000;heartbeat.interval=...'},
     * to measure other values than the deployment's (its figures in README were measured so, with Flink's defaults).
     */
    public static void applyRequestedSettings(FlinkStandaloneCluster.Builder builder) {
        for (String setting : System.getProperty("process.faults.settings", "").split(";")) {
            if (setting.contains("=")) {
                builder.setting(setting.substring(0, setting.indexOf('=')).strip(),
                    setting.substring(setting.indexOf('=') + 1).strip());
            }
        }
    }

    /** The latest a killed TaskManager is declared lost: after {@link #rpcFailureThreshold} failed calls. */
    public Duration killDetectionBudget() {
        return interval.multipliedBy(rpcFailureThreshold).plus(SLACK);
    }

    /**
     * The earliest a hung TaskManager can be declared lost: the timeout, counted from its last answered heartbeat,
     * which came up to one interval before the hang.
     */
    public Duration hangDetectionEarliest() {
        return timeout.minus(interval).minusSeconds(1);
    }

    /** The latest a hung TaskManager is declared lost. */
    public Duration hangDetectionLatest() {
        return timeout.plus(SLACK);
    }
}
