package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the cluster needs to read from its JobManager's REST API: is it up, which TaskManagers, how many slots. */
final class ClusterRest {

    /** {@code GET /overview}: registered TaskManagers and their slots. */
    record Overview(int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning) {
    }

    /** One entry of {@code GET /taskmanagers}. */
    record TaskManagerInfo(String id, int slots, int freeSlots) {
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    ClusterRest(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The overview, or empty while the REST endpoint does not answer (starting, or no JobManager). */
    Optional<Overview> overview() {
        return get("/overview").map(node -> new Overview(node.path("taskmanagers").asInt(),
            node.path("slots-total").asInt(), node.path("slots-available").asInt(), node.path("jobs-running").asInt()));
    }

    /** The registered TaskManagers, or empty while the REST endpoint does not answer. */
    Optional<List<TaskManagerInfo>> taskManagers() {
        return get("/taskmanagers").map(node -> {
            List<TaskManagerInfo> taskManagers = new ArrayList<>();
            node.path("taskmanagers").forEach(tm -> taskManagers.add(new TaskManagerInfo(tm.path("id").asText(),
                tm.path("slotsNumber").asInt(), tm.path("freeSlots").asInt())));
            return taskManagers;
        });
    }

    private Optional<JsonNode> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(json.readTree(response.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
