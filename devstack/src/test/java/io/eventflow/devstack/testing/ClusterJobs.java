package io.eventflow.devstack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.devstack.cluster.FlinkProcess;
import io.eventflow.devstack.cluster.FlinkStandaloneCluster;

/**
 * The job side of Flink's REST API, as the process-level tests use it on a {@link FlinkStandaloneCluster}: upload and
 * run a jar as the dashboard does, watch the job (its tasks, checkpoints and exception history), stop it with a
 * savepoint; and the measurements every process-fault scenario makes: when the JobManager recorded the failure a
 * fault caused (detection), and when the job ran every task again with a checkpoint completed after it (recovery).
 */
public final class ClusterJobs {

    /** A failure in the job's exception history: when the JobManager registered it, and why. */
    public record Failure(Instant at, String exception, String taskManager) {
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    public ClusterJobs(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String uploadJar(Path jar) {
        String boundary = "----eventflow" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            JsonNode response = send(HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), 200);
            String file = response.path("filename").asText();
            return file.substring(file.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + jar, e);
        }
    }

    /** Runs an uploaded jar; returns the job id. */
    public String run(String jarId, String entryClass, List<String> arguments, int parallelism, String savepoint) {
        ObjectNode request = json.createObjectNode();
        if (entryClass != null) {
            request.put("entryClass", entryClass);
        }
        request.putPOJO("programArgsList", arguments);
        request.put("parallelism", parallelism);
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        return send(post("/jars/" + jarId + "/run", request), 200).path("jobid").asText();
    }

    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** The job's state, or empty while the JobManager does not answer (or does not know the job yet). */
    public Optional<String> state(String jobId) {
        try {
            return Optional.of(job(jobId).path("state").asText());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * RUNNING, with every subtask of every vertex RUNNING or FINISHED (a source subtask that got no split of a bounded
     * source finishes, as after a scale-up beyond the number of splits), and some subtask RUNNING.
     */
    public boolean allTasksRunning(String jobId) {
        try {
            JsonNode job = job(jobId);
            if (!job.path("state").asText().equals("RUNNING")) {
                return false;
            }
            int running = 0;
            for (JsonNode vertex : job.path("vertices")) {
                JsonNode tasks = vertex.path("tasks");
                running += tasks.path("RUNNING").asInt();
                if (tasks.path("RUNNING").asInt() + tasks.path("FINISHED").asInt() != vertex.path("parallelism").asInt()) {
                    return false;
                }
            }
            return running > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public void awaitAllTasksRunning(String jobId, Duration timeout) {
        Await.until("every task of job " + jobId + " to run", timeout, () -> allTasksRunning(jobId),
            () -> state(jobId).orElse("(no answer)") + ", root exception: " + rootException(jobId));
    }

    /** The TaskManagers (resource ids) that run subtasks of the job now. */
    public Set<String> taskManagersOf(String jobId) {
        Set<String> taskManagers = new HashSet<>();
        for (JsonNode vertex : job(jobId).path("vertices")) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers")
                    .path("taskmanagers")) {
                if (tm.path("status").asText().equals("RUNNING")) {
                    taskManagers.add(tm.path("taskmanager-id").asText());
                }
            }
        }
        return taskManagers;
    }

    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    public long completedCheckpoints(String jobId) {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** The id of the latest completed checkpoint, or -1. */
    public long latestCheckpointId(String jobId) {
        JsonNode latest = checkpoints(jobId).path("latest").path("completed");
        return latest.isMissingNode() || latest.isNull() ? -1 : latest.path("id").asLong();
    }

    /** When the latest completed checkpoint completed (its acknowledgement), or empty. */
    public Optional<Instant> latestCheckpointCompletion(String jobId) {
        JsonNode latest = checkpoints(jobId).path("latest").path("completed");
        if (latest.isMissingNode() || latest.isNull()) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(latest.path("latest_ack_timestamp").asLong()));
    }

    /** The checkpoint or savepoint the job last restored from: its id, or -1. */
    public long restoredCheckpointId(String jobId) {
        JsonNode restored = checkpoints(jobId).path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? -1 : restored.path("id").asLong();
    }

    /** The failures the JobManager recorded for the job, oldest first. */
    public List<Failure> failures(String jobId) {
        List<Failure> failures = new ArrayList<>();
        for (JsonNode entry : get("/jobs/" + jobId + "/exceptions?maxExceptions=50").path("exceptionHistory").path("entries")) {
            failures.add(new Failure(Instant.ofEpochMilli(entry.path("timestamp").asLong()),
                entry.path("exceptionName").asText() + ": " + firstLine(entry.path("stacktrace").asText()),
                entry.path("taskManagerId").asText(null)));
        }
        failures.sort((a, b) -> a.at().compareTo(b.at()));
        return failures;
    }

    public String rootException(String jobId) {
        try {
            return firstLine(get("/jobs/" + jobId + "/exceptions").path("root-exception").asText("(none)"));
        } catch (RuntimeException e) {
            return "(no answer: " + e.getMessage() + ")";
        }
    }

    /** Stop-with-savepoint (no drain); returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, Path directory, Duration timeout) {
        ObjectNode request = json.createObjectNode();
        request.put("targetDirectory", directory.toUri().toString());
        request.put("drain", false);
        String trigger = send(post("/jobs/" + jobId + "/stop", request), 202).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new AssertionError("stop-with-savepoint of " + jobId + " failed: "
                        + operation.path("failure-cause").path("stack-trace").asText());
                }
                String location = operation.path("location").asText();
                Await.until("job " + jobId + " to finish after its savepoint", timeout,
                    () -> state(jobId).map(state -> state.equals("FINISHED")).orElse(false),
                    () -> state(jobId).orElse("(no answer)"));
                return location;
            }
            sleep(200);
        }
        throw new AssertionError("stop-with-savepoint of " + jobId + " did not complete within " + timeout);
    }

    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel")).method("PATCH",
            HttpRequest.BodyPublishers.noBody()), 202);
    }

    /** Ids of the jobs that are not finished, failed or canceled. */
    public List<String> activeJobs() {
        List<String> active = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (!Set.of("FINISHED", "FAILED", "CANCELED").contains(job.path("state").asText())) {
                active.add(job.path("jid").asText());
            }
        }
        return active;
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the process-fault scenarios measure and start from
    // ---------------------------------------------------------------------------------------------------------

    /** Waits until {@code more} checkpoints of the job completed after the ones completed now. */
    public void awaitCheckpoints(String jobId, int more, Duration timeout) {
        long target = completedCheckpoints(jobId) + more;
        Await.until(more + " more checkpoints of " + jobId, timeout, () -> completedCheckpoints(jobId) >= target,
            () -> checkpoints(jobId).path("counts").toString());
    }

    /**
     * Detection: waits for the first failure the JobManager recorded for the job at or after {@code fault} (its
     * exception history's timestamp, less a 0.5 s tolerance for clocks read in two processes) and returns it.
     */
    public Failure awaitFailureAfter(String jobId, Instant fault, Duration timeout) {
        List<Failure> found = new ArrayList<>();
        Await.until("the failure of job " + jobId + " after the fault", timeout, () -> {
            try {
                failures(jobId).stream().filter(failure -> !failure.at().isBefore(fault.minusMillis(500)))
                    .findFirst().ifPresent(found::add);
            } catch (RuntimeException noAnswer) {
                // the JobManager may be busy failing over
            }
            return !found.isEmpty();
        }, () -> state(jobId).orElse("(no answer)"));
        System.out.println("[TEST] failure recorded: " + found.get(0));
        return found.get(0);
    }

    /** Recovery: waits until every task of the job runs again and a checkpoint completed after {@code from}. */
    public Duration awaitRecovery(String jobId, Instant from, Duration timeout) {
        Await.until("job " + jobId + " to run all tasks again and complete a checkpoint", timeout,
            () -> allTasksRunning(jobId) && latestCheckpointCompletion(jobId).map(at -> at.isAfter(from)).orElse(false),
            () -> state(jobId).orElse("(no answer)") + ", root exception: " + rootException(jobId));
        return Duration.between(from, Instant.now());
    }

    /** A TaskManager process that runs some of the job's subtasks now. */
    public FlinkProcess aTaskManagerRunning(String jobId, FlinkStandaloneCluster cluster) {
        Set<String> hosts = taskManagersOf(jobId);
        if (hosts.isEmpty()) {
            throw new AssertionError("no TaskManager runs a subtask of job " + jobId);
        }
        return cluster.taskManager(hosts.iterator().next());
    }

    /**
     * What every scenario on a shared cluster starts from: a live JobManager, no active job, exactly
     * {@code taskManagers} live TaskManagers (killed and hung ones removed, extra ones stopped, missing ones added),
     * registered with all their slots free.
     */
    public void resetCluster(FlinkStandaloneCluster cluster, int taskManagers, Duration timeout) {
        if (!cluster.jobManager().isAlive()) {
            cluster.startJobManager();
        }
        activeJobs().forEach(this::cancel);
        Await.until("no active jobs", timeout, () -> activeJobs().isEmpty(), () -> activeJobs().toString());
        for (FlinkProcess taskManager : cluster.taskManagers()) {
            if (!taskManager.isAlive() || taskManager.isHung()) {
                cluster.removeTaskManager(taskManager);
            }
        }
        while (cluster.taskManagers().size() > taskManagers) {
            cluster.removeTaskManager(cluster.taskManagers().get(0));
        }
        while (cluster.taskManagers().size() < taskManagers) {
            cluster.addTaskManager();
        }
        cluster.awaitTaskManagers(taskManagers, timeout);
        cluster.awaitFreeSlots(taskManagers * cluster.slotsPerTaskManager(), timeout);
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), 200);
    }

    private HttpRequest.Builder post(String path, JsonNode body) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private JsonNode send(HttpRequest.Builder request, int expectedStatus) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new IllegalStateException(built.method() + " " + built.uri() + " answered "
                    + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(built.method() + " " + built.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
