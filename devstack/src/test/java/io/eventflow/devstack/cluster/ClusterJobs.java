package io.eventflow.devstack.cluster;

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

import io.eventflow.devstack.testing.Await;

/** The job side of Flink's REST API, as the process-level tests use it: submit, watch, stop with a savepoint. */
final class ClusterJobs {

    /** A failure in the job's exception history: when the JobManager registered it, and why. */
    record Failure(Instant at, String exception, String taskManager) {
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    ClusterJobs(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String uploadJar(Path jar) {
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
    String run(String jarId, String entryClass, List<String> arguments, int parallelism, String savepoint) {
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

    JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** The job's state, or empty while the JobManager does not answer (or does not know the job yet). */
    Optional<String> state(String jobId) {
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
    boolean allTasksRunning(String jobId) {
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

    void awaitAllTasksRunning(String jobId, Duration timeout) {
        Await.until("every task of job " + jobId + " to run", timeout, () -> allTasksRunning(jobId),
            () -> state(jobId).orElse("(no answer)") + ", root exception: " + rootException(jobId));
    }

    /** The TaskManagers (resource ids) that run subtasks of the job now. */
    Set<String> taskManagersOf(String jobId) {
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

    JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    long completedCheckpoints(String jobId) {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** The id of the latest completed checkpoint, or -1. */
    long latestCheckpointId(String jobId) {
        JsonNode latest = checkpoints(jobId).path("latest").path("completed");
        return latest.isMissingNode() || latest.isNull() ? -1 : latest.path("id").asLong();
    }

    /** When the latest completed checkpoint completed (its acknowledgement), or empty. */
    Optional<Instant> latestCheckpointCompletion(String jobId) {
        JsonNode latest = checkpoints(jobId).path("latest").path("completed");
        if (latest.isMissingNode() || latest.isNull()) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(latest.path("latest_ack_timestamp").asLong()));
    }

    /** The checkpoint or savepoint the job last restored from: its id, or -1. */
    long restoredCheckpointId(String jobId) {
        JsonNode restored = checkpoints(jobId).path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? -1 : restored.path("id").asLong();
    }

    /** The failures the JobManager recorded for the job, oldest first. */
    List<Failure> failures(String jobId) {
        List<Failure> failures = new ArrayList<>();
        for (JsonNode entry : get("/jobs/" + jobId + "/exceptions?maxExceptions=50").path("exceptionHistory").path("entries")) {
            failures.add(new Failure(Instant.ofEpochMilli(entry.path("timestamp").asLong()),
                entry.path("exceptionName").asText() + ": " + firstLine(entry.path("stacktrace").asText()),
                entry.path("taskManagerId").asText(null)));
        }
        failures.sort((a, b) -> a.at().compareTo(b.at()));
        return failures;
    }

    String rootException(String jobId) {
        try {
            return firstLine(get("/jobs/" + jobId + "/exceptions").path("root-exception").asText("(none)"));
        } catch (RuntimeException e) {
            return "(no answer: " + e.getMessage() + ")";
        }
    }

    /** Stop-with-savepoint (no drain); returns the savepoint's path. */
    String stopWithSavepoint(String jobId, Path directory, Duration timeout) {
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

    void cancel(String jobId) {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel")).method("PATCH",
            HttpRequest.BodyPublishers.noBody()), 202);
    }

    /** Ids of the jobs that are not finished, failed or canceled. */
    List<String> activeJobs() {
        List<String> active = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (!Set.of("FINISHED", "FAILED", "CANCELED").contains(job.path("state").asText())) {
                active.add(job.path("jid").asText());
            }
        }
        return active;
    }

    JsonNode get(String path) {
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
