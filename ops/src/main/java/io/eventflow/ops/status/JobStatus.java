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

    /** The status of one job. */
    public List<String> report(String jobId) {
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
        lines.add("ordering: open gaps " + total(jobId, "openGaps") + ", buffered " + total(jobId, "bufferedEvents")
            + ", gap fills " + total(jobId, "gapFills") + ", gap alerts " + total(jobId, "gapAlerts")
            + ", duplicates dropped " + total(jobId, "duplicatesDropped"));
        lines.add("bad input (since the last restart): dead letters " + total(jobId, "deadLetters")
            + ", integrity violations " + total(jobId, "integrityViolations")
            + ", projection failures " + total(jobId, "eventsFailed"));
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
