package io.eventflow.devstack.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.devstack.junit.EmbeddedFlinkExtension;

class EmbeddedFlinkClusterTest {

    @RegisterExtension
    static final EmbeddedFlinkExtension FLINK = new EmbeddedFlinkExtension(builder -> builder.slotsPerTaskManager(2));

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theRestApiAnswersOverview() throws Exception {
        JsonNode overview = new ObjectMapper().readTree(get("/overview"));

        assertThat(overview.path("taskmanagers").asInt()).isEqualTo(1);
        assertThat(overview.path("slots-total").asInt()).isEqualTo(2);
        assertThat(overview.path("flink-version").asText()).isEqualTo("1.19.3");
    }

    @Test
    void theDashboardIsServed() throws Exception {
        assertThat(get("/")).contains("<title>Apache Flink Web Dashboard</title>");
        assertThat(FLINK.cluster().restUrl()).startsWith("http://127.0.0.1:");
    }

    @Test
    void jobsRunOnTheClusterAndAreListedByTheRestApi() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<Long> doubled = env.fromSequence(1, 5).map(n -> n * 2).name("double").executeAndCollect(10);

        assertThat(doubled).containsExactlyInAnyOrder(2L, 4L, 6L, 8L, 10L);
        assertThat(new ObjectMapper().readTree(get("/jobs/overview")).path("jobs")).isNotEmpty();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(FLINK.cluster().restUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
