package io.eventflow.ops.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.ops.rest.FlinkRestClient;

/**
 * How far a projection job is behind the event store: the store's documents minus those the job has accounted for
 * ({@link JobMetrics#ACCOUNTED_FOR}: put in order, dead-lettered without a position, arrived after their position was
 * skipped). Not defined for a job that started at LATEST or TIMESTAMP: the events before its start are in the store
 * but never its to order.
 *
 * @param stored       documents in the event collection
 * @param totals       the job's running totals, by metric name
 * @param startsAtFirstNewEvent whether the job started at LATEST or TIMESTAMP
 */
public record Lag(long stored, Map<String, Long> totals, boolean startsAtFirstNewEvent) {

    /** Reads the job's totals from Flink's REST API (they arrive there seconds late). */
    public static Lag measure(FlinkRestClient flink, String jobId, long stored) {
        List<String> names = new ArrayList<>(JobMetrics.ACCOUNTED_FOR);
        names.add(JobMetrics.STARTS_AT_FIRST_NEW_EVENT);
        Map<String, Double> values = flink.metricTotals(jobId, names);
        Map<String, Long> totals = new java.util.LinkedHashMap<>();
        JobMetrics.ACCOUNTED_FOR.forEach(name -> totals.put(name, values.getOrDefault(name, 0.0).longValue()));
        return new Lag(stored, totals, values.getOrDefault(JobMetrics.STARTS_AT_FIRST_NEW_EVENT, 0.0) > 0);
    }

    /** Store documents the job has accounted for. */
    public long accountedFor() {
        return totals.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Documents in the store the job has not accounted for yet; 0 at most when caught up. */
    public long events() {
        return Math.max(0, stored - accountedFor());
    }

    /** One line for people: the lag and what the job has accounted for. */
    public String describe() {
        String parts = totals.get(JobMetrics.EVENTS_ORDERED_TOTAL) + " in order, "
            + totals.get(JobMetrics.DOCUMENTS_WITHOUT_POSITION_TOTAL) + " dead-lettered without a position, "
            + totals.get(JobMetrics.EVENTS_ARRIVED_AFTER_SKIP_TOTAL) + " arrived after a skip";
        if (startsAtFirstNewEvent) {
            return "lag not defined: the job started at LATEST or TIMESTAMP and orders each aggregate from its first new "
                + "event (" + parts + "; " + stored + " in the store)";
        }
        return "lag " + events() + " events (" + stored + " in the store; accounted for: " + parts + ")";
    }
}
