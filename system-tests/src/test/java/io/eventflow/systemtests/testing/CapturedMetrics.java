package io.eventflow.systemtests.testing;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for MiniCluster tests: it keeps every metric the job registers, so a test can read the job's
 * counters and gauges (summed over subtasks) even after the job stopped.
 */
public final class CapturedMetrics implements MetricReporter, MetricReporterFactory {

    private record Registered(String jobId, String name, Metric metric) {
    }

    private static final Map<String, Registered> METRICS = new ConcurrentHashMap<>();

    /** A MiniCluster configuration that installs this reporter. */
    public static Configuration configuration() {
        Configuration configuration = new Configuration();
        configuration.setString("metrics.reporter.captured.factory.class", CapturedMetrics.class.getName());
        return configuration;
    }

    /** The sum over all subtasks of the job of the counters and numeric gauges with this name. */
    public static long sum(JobID job, String name) {
        long sum = 0;
        for (Registered registered : METRICS.values()) {
            if (registered.name().equals(name) && job.toString().equals(registered.jobId())) {
                if (registered.metric() instanceof Counter counter) {
                    sum += counter.getCount();
                } else if (registered.metric() instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
                    sum += number.longValue();
                }
            }
        }
        return sum;
    }

    /** Every metric of the job as {@code identifier = value} lines: what a metrics backend would receive. */
    public static String render(JobID job) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Registered> entry : METRICS.entrySet()) {
            Registered registered = entry.getValue();
            if (!job.toString().equals(registered.jobId())) {
                continue;
            }
            Object value = registered.metric() instanceof Counter counter ? counter.getCount()
                : registered.metric() instanceof Gauge<?> gauge ? gauge.getValue() : registered.metric().getClass().getSimpleName();
            text.append(entry.getKey()).append(" = ").append(value).append('\n');
        }
        return text.toString();
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return this;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String identifier = group.getMetricIdentifier(metricName);
        METRICS.put(identifier + "#" + System.identityHashCode(metric),
            new Registered(group.getAllVariables().get("<job_id>"), metricName, metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept: tests read the final values after the job stopped
    }
}
