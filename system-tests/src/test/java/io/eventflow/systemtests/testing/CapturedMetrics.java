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

    private record Registered(String jobId, String name, Metric metric, String operator, String subtask, int attempt) {
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

    /**
     * Like {@link #sum}, over the latest attempt of each subtask only: after a restart, the gauges of the failed
     * attempts (kept by this reporter) no longer count.
     */
    public static long sumOfLatestAttempts(JobID job, String name) {
        Map<String, Registered> latest = new java.util.HashMap<>();
        for (Registered registered : METRICS.values()) {
            if (registered.name().equals(name) && job.toString().equals(registered.jobId())) {
                latest.merge(registered.operator() + "/" + registered.subtask(), registered,
                    (a, b) -> a.attempt() >= b.attempt() ? a : b);
            }
        }
        long sum = 0;
        for (Registered registered : latest.values()) {
            if (registered.metric() instanceof Counter counter) {
                sum += counter.getCount();
            } else if (registered.metric() instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
                sum += number.longValue();
            }
        }
        return sum;
    }

    /** Each subtask's value of the counters and numeric gauges with this name (registered since the job started). */
    public static java.util.List<Long> values(JobID job, String name) {
        java.util.List<Long> values = new java.util.ArrayList<>();
        for (Registered registered : METRICS.values()) {
            if (registered.name().equals(name) && job.toString().equals(registered.jobId())) {
                if (registered.metric() instanceof Counter counter) {
                    values.add(counter.getCount());
                } else if (registered.metric() instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
                    values.add(number.longValue());
                }
            }
        }
        return values;
    }

    /** The largest value any subtask's histogram with this name recorded; 0 if none did. */
    public static long histogramMax(JobID job, String name) {
        long max = 0;
        for (Registered registered : METRICS.values()) {
            if (registered.name().equals(name) && job.toString().equals(registered.jobId())
                && registered.metric() instanceof org.apache.flink.metrics.Histogram histogram
                && histogram.getCount() > 0) {
                max = Math.max(max, histogram.getStatistics().getMax());
            }
        }
        return max;
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
        Map<String, String> variables = group.getAllVariables();
        String attempt = variables.get("<task_attempt_num>");
        METRICS.put(identifier + "#" + System.identityHashCode(metric),
            new Registered(variables.get("<job_id>"), metricName, metric, variables.get("<operator_id>"),
                variables.get("<subtask_index>"), attempt == null ? 0 : Integer.parseInt(attempt)));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept: tests read the final values after the job stopped
    }
}
