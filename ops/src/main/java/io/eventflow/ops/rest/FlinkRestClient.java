package io.eventflow.ops.rest;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.ops.submit.JobSubmission;
import io.eventflow.ops.submit.JobSubmitter;

/**
 * The calls of Flink's REST API (the same API the dashboard uses) that operating the projection job needs: submit a job
 * jar, optionally from a savepoint; stop with a savepoint; cancel; read job state, checkpoints and operator metrics.
 * Submitting, stopping and cancelling go through Flink's own {@link RestClusterClient}, as {@code flink run} and
 * {@code flink stop} do; the read-only queries read the REST API's JSON. One instance per cluster; thread-safe; close
 * it when done.
 */
public final class FlinkRestClient implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(250);

    private final URI base;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration requestTimeout;
    private RestClusterClient<StandaloneClusterId> cluster;

    /** A client for the cluster whose REST API (and dashboard) is at {@code baseUrl}, such as http://jobmanager:8081. */
    public FlinkRestClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(60));
    }

    public FlinkRestClient(String baseUrl, Duration requestTimeout) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(trimmed);
        if (base.getHost() == null || base.getPort() < 0) {
            throw new IllegalArgumentException("the Flink REST address '" + baseUrl + "' needs a host and a port, such as "
                + "http://127.0.0.1:8081");
        }
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String baseUrl() {
        return base.toString();
    }

    /** Flink's client for the cluster, created on first use. */
    private synchronized RestClusterClient<StandaloneClusterId> cluster() {
        if (cluster == null) {
            Configuration configuration = new Configuration();
            configuration.set(RestOptions.ADDRESS, base.getHost());
            configuration.set(RestOptions.PORT, base.getPort());
            configuration.set(RestOptions.CONNECTION_TIMEOUT, 10_000L);
            try {
                cluster = new RestClusterClient<>(configuration, StandaloneClusterId.getInstance());
            } catch (Exception e) {
                throw new FlinkRestException("cannot create a client for the Flink cluster at " + base + ": " + e, e);
            }
        }
        return cluster;
    }

    /**
     * Submits a job jar as {@code flink run} does (its main class builds the job here; see {@link JobSubmitter}) and
     * returns the new job's id.
     */
    public String submit(JobSubmission submission) {
        return new JobSubmitter(cluster(), clusterParallelism(), name -> jobs().stream()
            .filter(job -> job.isActive() && job.name().equals(name)).map(JobInfo::id).findFirst()).submit(submission);
    }

    /** The cluster's {@code parallelism.default}. */
    private int clusterParallelism() {
        for (JsonNode entry : get("/jobmanager/config")) {
            if (entry.path("key").asText().equals("parallelism.default")) {
                return Integer.parseInt(entry.path("value").asText("1"));
            }
        }
        return 1;
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
     *
     * @param targetDirectory where to write it, or null for the cluster's {@code state.savepoints.dir}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
        try {
            return cluster().stopWithSavepoint(JobID.fromHexString(jobId), false, targetDirectory,
                SavepointFormatType.CANONICAL).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FlinkRestException("the savepoint of job " + jobId + " did not complete within " + timeout, e);
        } catch (Exception e) {
            throw new FlinkRestException("stopping job " + jobId + " with a savepoint failed: "
                + JobSubmitter.rootMessage(e), e);
        }
    }

    /** Cancels the job; its retained checkpoints stay (the job retains them on cancellation). */
    public void cancel(String jobId) {
        try {
            cluster().cancel(JobID.fromHexString(jobId)).get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new FlinkRestException("cancelling job " + jobId + " failed: " + JobSubmitter.rootMessage(e), e);
        }
    }

    /** The job's checkpoint interval ({@code /jobs/<id>/checkpoints/config}); zero when checkpointing is off. */
    public Duration checkpointInterval(String jobId) {
        long interval = get("/jobs/" + jobId + "/checkpoints/config").path("interval").asLong(0);
        return Duration.ofMillis(interval > 0 && interval < Long.MAX_VALUE ? interval : 0);
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

    /**
     * The sums of several operator metrics over all operators and subtasks, in one pass over the job's vertices: keys
     * are the metric names; a metric no operator has sums to 0.
     */
    public Map<String, Double> metricTotals(String jobId, Collection<String> metricNames) {
        Map<String, Double> totals = new LinkedHashMap<>();
        metricNames.forEach(name -> totals.put(name, 0.0));
        for (JsonNode vertex : jobDetails(jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(path)) {
                String id = metric.path("id").asText();
                if (metricNames.stream().anyMatch(name -> id.endsWith("." + name))) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query = path + "?agg=sum&get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode metric : get(query)) {
                String id = metric.path("id").asText();
                metricNames.stream().filter(name -> id.endsWith("." + name)).findFirst()
                    .ifPresent(name -> totals.merge(name, metric.path("sum").asDouble(), Double::sum));
            }
        }
        return totals;
    }

    /** The sum of one operator metric over all operators and subtasks that have it; 0 if none has. */
    public double metricTotal(String jobId, String metricName) {
        return operatorMetricSums(jobId, metricName).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The highest value of one operator metric over all operators and subtasks that have it; 0 if none has. */
    public double metricMax(String jobId, String metricName) {
        return operatorMetrics(jobId, metricName, "max").values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** A job-level metric, such as {@code numRestarts}; 0 if the job does not report it. */
    public double jobMetric(String jobId, String metricName) {
        for (JsonNode metric : get("/jobs/" + jobId + "/metrics?get=" + URLEncoder.encode(metricName, StandardCharsets.UTF_8))) {
            if (metric.path("id").asText().equals(metricName)) {
                return metric.path("value").asDouble(0);
            }
        }
        return 0;
    }

    /** {@code /jobs/<id>/exceptions}: the root exception and the exception history, newest first, with timestamps. */
    public JsonNode exceptions(String jobId) {
        return get("/jobs/" + jobId + "/exceptions");
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

    @Override
    public synchronized void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(requestTimeout).GET().build();
        return send("GET " + path, request);
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
