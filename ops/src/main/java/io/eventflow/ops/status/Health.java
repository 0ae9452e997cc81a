package io.eventflow.ops.status;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether a projection job is healthy, and if not, why: what {@code bin/status} exits with (0 healthy, 1 not) and
 * what {@code bin/upgrade} decides by (a job that is not running all its tasks, or failed since its last completed
 * checkpoint, cannot take a savepoint: it is upgraded from its latest retained checkpoint instead).
 *
 * <p>A job is unhealthy when it is not RUNNING (RESTARTING, FAILING, ...), when any of its tasks is not running, when
 * it failed after its last completed checkpoint (a job that restarts in a loop never completes one), when a checkpoint
 * failed after the last completed one, or when gaps are open past their timeout (the store could not fill them).
 *
 * @param problems why the job is unhealthy, one sentence each; empty when it is healthy
 * @param canTakeSavepoint whether stop-with-savepoint can work: every task running, no failure since the last checkpoint
 */
public record Health(List<String> problems, boolean canTakeSavepoint) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    public boolean healthy() {
        return problems.isEmpty();
    }

    /**
     * Evaluates a job from Flink's REST answers.
     *
     * @param details     {@code /jobs/<id>}: state and vertices
     * @param checkpoints {@code /jobs/<id>/checkpoints}
     * @param exceptions  {@code /jobs/<id>/exceptions}
     * @param overdueGaps the sum of the ordering operator's {@code overdueGaps} gauge
     * @param now         epoch milliseconds
     */
    public static Health evaluate(JsonNode details, JsonNode checkpoints, JsonNode exceptions, long overdueGaps, long now) {
        List<String> problems = new ArrayList<>();
        String state = details.path("state").asText("UNKNOWN");
        if (!state.equals("RUNNING")) {
            problems.add("the job is " + state);
        }
        List<String> notRunning = new ArrayList<>();
        int vertices = 0;
        for (JsonNode vertex : details.path("vertices")) {
            vertices++;
            String status = vertex.path("status").asText();
            if (!status.equals("RUNNING")) {
                notRunning.add(vertex.path("name").asText() + " is " + status);
            }
        }
        if (state.equals("RUNNING") && (!notRunning.isEmpty() || vertices == 0)) {
            problems.add(notRunning.size() + " of " + vertices + " tasks are not running"
                + (notRunning.isEmpty() ? "" : ": " + String.join(", ", notRunning.subList(0, Math.min(3, notRunning.size())))));
        }
        JsonNode completed = checkpoints.path("latest").path("completed");
        long lastCompleted = completed.isObject() ? completed.path("latest_ack_timestamp").asLong(0) : 0;
        long lastFailure = lastFailure(exceptions);
        boolean failedSinceCheckpoint = lastFailure > 0 && lastFailure > lastCompleted;
        if (failedSinceCheckpoint) {
            problems.add("it failed at " + TIME.format(Instant.ofEpochMilli(lastFailure)) + " ("
                + ago(now, lastFailure) + " ago) and has completed no checkpoint since"
                + (lastCompleted == 0 ? "" : " the one at " + TIME.format(Instant.ofEpochMilli(lastCompleted)))
                + ": " + firstLine(exceptions));
        }
        JsonNode failed = checkpoints.path("latest").path("failed");
        if (failed.isObject()) {
            long failedAt = failed.path("failure_timestamp").asLong(failed.path("trigger_timestamp").asLong(0));
            if (failedAt > lastCompleted) {
                problems.add("checkpoint #" + failed.path("id").asLong() + " failed " + ago(now, failedAt) + " ago ("
                    + abbreviate(failed.path("failure_message").asText("no reason given")) + ") and none has completed "
                    + "since");
            }
        }
        if (overdueGaps > 0) {
            problems.add(overdueGaps + " gap" + (overdueGaps == 1 ? " is" : "s are") + " open past the gap timeout: the "
                + "event store could not fill " + (overdueGaps == 1 ? "it" : "them") + " (see the alerts topic)");
        }
        boolean canTakeSavepoint = state.equals("RUNNING") && notRunning.isEmpty() && vertices > 0 && !failedSinceCheckpoint;
        return new Health(List.copyOf(problems), canTakeSavepoint);
    }

    /** When the job last failed (epoch milliseconds); 0 if it never did. */
    private static long lastFailure(JsonNode exceptions) {
        long last = exceptions.path("timestamp").asLong(0);
        for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
            last = Math.max(last, entry.path("timestamp").asLong(0));
        }
        return last;
    }

    private static String firstLine(JsonNode exceptions) {
        JsonNode entries = exceptions.path("exceptionHistory").path("entries");
        String text = entries.size() > 0 ? entries.get(0).path("stacktrace").asText("")
            : exceptions.path("root-exception").asText("");
        String cause = text.lines().filter(line -> line.startsWith("Caused by:")).reduce((first, last) -> last)
            .orElse(text.lines().findFirst().orElse("no exception recorded"));
        return abbreviate(cause.trim());
    }

    private static String ago(long now, long then) {
        return JobStatus.human(Duration.ofMillis(Math.max(0, now - then)));
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 297) + "...";
    }
}
