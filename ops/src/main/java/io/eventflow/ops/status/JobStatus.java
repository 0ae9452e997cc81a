package io.eventflow.ops.status;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.bson.Document;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.rest.JobInfo;

/**
 * A few lines on the health of a projection job: its state, its last checkpoints, its lag behind the event store,
 * open gaps and bad input, from the REST API and the job's own metrics.
 */
public final class JobStatus {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final FlinkRestClient flink;
    private final MongoCollection<Document> events;

    /** @param events the event collection, to compute the lag; null to leave the lag out */
    public JobStatus(FlinkRestClient flink, MongoCollection<Document> events) {
        this.flink = flink;
        this.events = events;
    }

    /** Whether the job is healthy, and if not, why (see {@link Health}). */
    public Health health(String jobId) {
        JsonNode details = flink.jobDetails(jobId);
        long overdueGaps = details.path("state").asText().equals("RUNNING")
            ? (long) flink.metricTotal(jobId, JobMetrics.OVERDUE_GAPS) : 0;
        return Health.evaluate(details, flink.checkpoints(jobId), flink.exceptions(jobId), overdueGaps,
            System.currentTimeMillis());
    }

    /** What {@code bin/status} prints about a job, and its health. */
    public record Report(List<String> lines, Health health) {
    }

    /** The status of one job, its health last. */
    public Report report(String jobId) {
        List<String> lines = describe(jobId);
        Health health = health(jobId);
        lines.add(health.healthy() ? "healthy" : "UNHEALTHY: " + String.join("; ", health.problems()));
        return new Report(List.copyOf(lines), health);
    }

    private List<String> describe(String jobId) {
        List<String> lines = new ArrayList<>();
        JobInfo job = flink.job(jobId);
        Duration up = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - job.startTimeMillis()));
        lines.add("job " + job.id() + " \"" + job.name() + "\": " + job.state() + " since "
            + TIME.format(Instant.ofEpochMilli(job.startTimeMillis())) + " (" + human(up) + ")");
        lines.add(checkpoints(jobId));
        if (!job.state().equals("RUNNING")) {
            lines.add("metrics: not available while the job is " + job.state());
            return lines;
        }
        String progress;
        if (events != null) {
            progress = Lag.measure(flink, jobId, events.estimatedDocumentCount()).describe();
        } else {
            progress = total(jobId, JobMetrics.EVENTS_ORDERED_TOTAL) + " events in order since the job first started";
        }
        lines.add("progress: " + progress + "; commit-to-emit p99 "
            + (long) flink.metricMax(jobId, JobMetrics.COMMIT_TO_EMIT_LATENCY_MS + "_p99") + " ms");
        lines.add("ordering: open gaps " + total(jobId, JobMetrics.OPEN_GAPS) + " (past their timeout "
            + total(jobId, JobMetrics.OVERDUE_GAPS) + "), buffered " + total(jobId, JobMetrics.BUFFERED_EVENTS)
            + ", left in the store " + total(jobId, JobMetrics.EVENTS_DEFERRED_TO_STORE)
            + ", gap fills " + total(jobId, JobMetrics.GAP_FILLS) + " (" + total(jobId, JobMetrics.GAP_FILL_READS)
            + " reads, slowest " + (long) flink.metricMax(jobId, JobMetrics.GAP_FILL_READ_LATENCY_MS + "_max") + " ms), gap alerts "
            + total(jobId, JobMetrics.GAP_ALERTS) + ", duplicates dropped " + total(jobId, JobMetrics.DUPLICATES_DROPPED));
        lines.add("dead letters (since the last restart): malformed documents " + total(jobId, JobMetrics.DEAD_LETTERS)
            + ", events a projection failed on " + total(jobId, JobMetrics.EVENTS_FAILED)
            + "; integrity violations " + total(jobId, JobMetrics.INTEGRITY_VIOLATIONS));
        return lines;
    }

    private String checkpoints(String jobId) {
        JsonNode checkpoints = flink.checkpoints(jobId);
        JsonNode counts = checkpoints.path("counts");
        StringBuilder line = new StringBuilder("checkpoints: ").append(counts.path("completed").asLong()).append(" completed, ")
            .append(counts.path("failed").asLong()).append(" failed, ").append(counts.path("in_progress").asLong())
            .append(" in progress");
        JsonNode completed = checkpoints.path("latest").path("completed");
        if (completed.isObject()) {
            long at = completed.path("latest_ack_timestamp").asLong();
            line.append("; last #").append(completed.path("id").asLong()).append(" ")
                .append(human(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - at)))).append(" ago, took ")
                .append(completed.path("end_to_end_duration").asLong()).append(" ms, ")
                .append(completed.path("checkpointed_size").asLong(completed.path("state_size").asLong()) / 1024).append(" KiB");
        }
        JsonNode failed = checkpoints.path("latest").path("failed");
        if (failed.isObject()) {
            line.append("; last failure #").append(failed.path("id").asLong()).append(": ")
                .append(failed.path("failure_message").asText("?"));
        }
        return line.toString();
    }

    private long total(String jobId, String metric) {
        return (long) flink.metricTotal(jobId, metric);
    }

    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
