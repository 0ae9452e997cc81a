package io.eventflow.ops.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The calls of Flink's REST API (the same API the dashboard uses) that operating the projection job needs: upload
 * and run a jar, optionally from a savepoint; stop with a savepoint; cancel; read job state, checkpoints and
 * operator metrics. One instance per cluster; thread-safe.
 */
public final class FlinkRestClient {

    private static final Duration POLL = Duration.ofMillis(250);

    private final URI base;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration requestTimeout;

    /** A client for the cluster whose REST API (and dashboard) is at {@code baseUrl}, such as http://jobmanager:8081. */
    public FlinkRestClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(60));
    }

    public FlinkRestClient(String baseUrl, Duration requestTimeout) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(trimmed);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String baseUrl() {
        return base.toString();
    }

    /** Uploads a job jar; returns the id {@link #runJar} takes. */
    public String uploadJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("jar '" + jar + "' does not exist; build it with mvn -B -DskipTests package");
        }
        String boundary = "eventflow-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
            + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri("/jars/upload"))
                .timeout(requestTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                    HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        } catch (IOException e) {
            throw new UncheckedIOException("jar '" + jar + "' cannot be read", e);
        }
        JsonNode answer = send("POST /jars/upload", request);
        String location = answer.path("filename").asText();
        if (location.isEmpty()) {
            throw new FlinkRestException("POST /jars/upload answered without a filename: " + answer);
        }
        return Path.of(location).getFileName().toString();
    }

    /**
     * Runs an uploaded jar and returns the new job's id.
     *
     * @param savepointPath the savepoint or retained checkpoint to start from, or null for fresh state
     * @param allowNonRestoredState whether state in the savepoint that no operator claims may be dropped (needed when
     *     an operator, such as the source under a new uid, is replaced)
     */
    public String runJar(String jarId, List<String> programArguments, String savepointPath, boolean allowNonRestoredState) {
        ObjectNode body = json.createObjectNode();
        body.putArray("programArgsList").addAll(programArguments.stream().map(json.getNodeFactory()::textNode).toList());
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", allowNonRestoredState);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", body);
        return answer.path("jobid").asText();
    }

    /** Every job the cluster knows, newest first. */
    public List<JobInfo> jobs() {
        List<JobInfo> jobs = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            jobs.add(new JobInfo(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
                job.path("start-time").asLong()));
        }
        jobs.sort((a, b) -> Long.compare(b.startTimeMillis(), a.startTimeMillis()));
        return jobs;
    }

    public JobInfo job(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        return new JobInfo(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
            job.path("start-time").asLong());
    }

    /** The job's details: vertices (operator chains) with their names, parallelism and state. */
    public JsonNode jobDetails(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** Waits until the job's state satisfies {@code accepted}; fails naming the last state after {@code timeout}. */
    public JobInfo awaitState(String jobId, Predicate<String> accepted, String wanted, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        JobInfo job = job(jobId);
        while (!accepted.test(job.state())) {
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("job " + jobId + " is " + job.state() + " after " + timeout + ", not " + wanted);
            }
            sleep(POLL);
            job = job(jobId);
        }
        return job;
    }

    /** Waits until every task of the job is running, which is when it processes records and takes checkpoints. */
    public void awaitAllTasksRunning(String jobId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode details = jobDetails(jobId);
            boolean allRunning = details.path("state").asText().equals("RUNNING") && details.path("vertices").size() > 0;
            for (JsonNode vertex : details.path("vertices")) {
                allRunning &= vertex.path("status").asText().equals("RUNNING");
            }
            if (allRunning) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("job " + jobId + " does not have all its tasks running after " + timeout
                    + " (state " + details.path("state").asText() + ")");
            }
            sleep(POLL);
        }
    }

    /**
     * Stops the job with a savepoint (Flink's stop: sources stop, a final savepoint is taken, sinks commit) and returns
     * the savepoint's path once it is complete.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
        ObjectNode body = json.createObjectNode();
        body.put("drain", false);
        if (targetDirectory != null) {
            body.put("targetDirectory", targetDirectory);
        }
        String triggerId = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + triggerId);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new FlinkRestException("stopping job " + jobId + " with a savepoint failed: "
                        + operation.path("failure-cause").path("stack-trace").asText("").lines().findFirst().orElse("?"));
                }
                return operation.path("location").asText();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("the savepoint of job " + jobId + " did not complete within " + timeout);
            }
            sleep(POLL);
        }
    }

    /** Cancels the job; its retained checkpoints stay (the job retains them on cancellation). */
    public void cancel(String jobId) {
        HttpRequest request = HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel")).timeout(requestTimeout)
            .method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        send("PATCH /jobs/" + jobId, request);
    }

    /** {@code /jobs/<id>/checkpoints}: counts, the latest completed, failed, savepoint and restored checkpoint, history. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /**
     * The sum over all subtasks of each operator metric whose name is {@code metricName}, per operator: keys are
     * {@code <operator>.<metric>}, as Flink names operator metrics. Operators without the metric are absent.
     */
    public Map<String, Double> operatorMetricSums(String jobId, String metricName) {
        return operatorMetrics(jobId, metricName, "sum");
    }

    /** Like {@link #operatorMetricSums}, aggregated over subtasks by {@code aggregation}: min, max, sum or avg. */
    public Map<String, Double> operatorMetrics(String jobId, String metricName, String aggregation) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (JsonNode vertex : jobDetails(jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(path)) {
                String id = metric.path("id").asText();
                if (id.endsWith("." + metricName)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query = path + "?agg=" + aggregation + "&get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode metric : get(query)) {
                if (metric.has(aggregation)) {
                    sums.put(metric.path("id").asText(), metric.path(aggregation).asDouble());
                }
            }
        }
        return sums;
    }

    /** The sum of one operator metric over all operators and subtasks that have it; 0 if none has. */
    public double metricTotal(String jobId, String metricName) {
        return operatorMetricSums(jobId, metricName).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The highest value of one operator metric over all operators and subtasks that have it; 0 if none has. */
    public double metricMax(String jobId, String metricName) {
        return operatorMetrics(jobId, metricName, "max").values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** The job's exception history as text (root exceptions and their stack traces); empty if it never failed. */
    public String rootException(String jobId) {
        JsonNode exceptions = get("/jobs/" + jobId + "/exceptions");
        StringBuilder text = new StringBuilder(exceptions.path("root-exception").asText(""));
        for (JsonNode entry : exceptions.path("exceptionHistory").path("entries")) {
            text.append('\n').append(entry.path("stacktrace").asText(""));
        }
        return text.toString();
    }

    /** Whether the cluster answers. */
    public boolean isReachable() {
        try {
            get("/overview");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(requestTimeout).GET().build();
        return send("GET " + path, request);
    }

    private JsonNode post(String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return send("POST " + path, request);
    }

    private JsonNode send(String call, HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new FlinkRestException(call + " on " + base + " failed: " + reason + " (is the Flink cluster running?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException(call + " was interrupted", e);
        }
        JsonNode answer;
        try {
            answer = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
        } catch (IOException e) {
            throw new FlinkRestException(call + " answered " + response.statusCode() + " with something that is not JSON: "
                + abbreviate(response.body()));
        }
        if (response.statusCode() >= 400) {
            throw new FlinkRestException(call + " answered " + response.statusCode() + ": " + errors(answer));
        }
        return answer;
    }

    /** Flink puts its reasons in {@code errors}; the first line of each is what a reader needs. */
    private static String errors(JsonNode answer) {
        List<String> reasons = new ArrayList<>();
        for (JsonNode error : answer.path("errors")) {
            String text = error.asText();
            String cause = text.lines().filter(line -> line.contains("Caused by:")).reduce((first, last) -> last).orElse("");
            reasons.add(abbreviate(text.lines().findFirst().orElse(text)) + (cause.isEmpty() ? "" : " / " + abbreviate(cause.trim())));
        }
        return reasons.isEmpty() ? abbreviate(answer.toString()) : String.join("; ", reasons);
    }

    private static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted while waiting", e);
        }
    }
}
