package io.eventflow.ops.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What makes bin/status exit 1, and what keeps bin/upgrade from trying a savepoint. */
class HealthTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final String RUNNING = """
        {"state": "RUNNING", "vertices": [{"name": "Source", "status": "RUNNING"},
         {"name": "Restore per-aggregate order", "status": "RUNNING"}]}""";
    private static final String CHECKPOINT_10_S_AGO = """
        {"latest": {"completed": {"id": 41, "latest_ack_timestamp": %d}}}""".formatted(NOW - 10_000);
    private static final String NO_EXCEPTIONS = "{\"exceptionHistory\": {\"entries\": []}}";

    @Test
    void aRunningJobWithRecentCheckpointsAndNoOverdueGapIsHealthyAndCanTakeASavepoint() throws Exception {
        Health health = Health.evaluate(json(RUNNING), json(CHECKPOINT_10_S_AGO), json(NO_EXCEPTIONS), 0, NOW);

        assertThat(health.healthy()).isTrue();
        assertThat(health.canTakeSavepoint()).isTrue();
    }

    @Test
    void aRestartingJobIsUnhealthyAndCannotTakeASavepoint() throws Exception {
        Health health = Health.evaluate(json("{\"state\": \"RESTARTING\", \"vertices\": []}"), json(CHECKPOINT_10_S_AGO),
            json(NO_EXCEPTIONS), 0, NOW);

        assertThat(health.problems()).containsExactly("the job is RESTARTING");
        assertThat(health.canTakeSavepoint()).isFalse();
    }

    @Test
    void aRunningJobWithATaskStillInitializingIsUnhealthy() throws Exception {
        Health health = Health.evaluate(json(RUNNING.replace("\"Source\", \"status\": \"RUNNING\"",
            "\"Source\", \"status\": \"INITIALIZING\"")), json(CHECKPOINT_10_S_AGO), json(NO_EXCEPTIONS), 0, NOW);

        assertThat(health.problems()).containsExactly("1 of 2 tasks are not running: Source is INITIALIZING");
        assertThat(health.canTakeSavepoint()).isFalse();
    }

    @Test
    void aJobThatFailedAfterItsLastCompletedCheckpointIsUnhealthyEvenWhileItRunsAgain() throws Exception {
        String exceptions = """
            {"exceptionHistory": {"entries": [{"timestamp": %d, "stacktrace": "org.apache.flink.runtime.JobException: \
            Recovery is suppressed\\nCaused by: java.lang.IllegalStateException: Aggregate 'b-1' is missing events 2..2"}]}}"""
            .formatted(NOW - 3_000);

        Health health = Health.evaluate(json(RUNNING), json(CHECKPOINT_10_S_AGO), json(exceptions), 0, NOW);

        assertThat(health.problems()).singleElement().asString()
            .startsWith("it failed at ")
            .contains("(3 s ago) and has completed no checkpoint since the one at ")
            .endsWith(": Caused by: java.lang.IllegalStateException: Aggregate 'b-1' is missing events 2..2");
        assertThat(health.canTakeSavepoint()).isFalse();
    }

    @Test
    void aFailureBeforeTheLastCompletedCheckpointIsOver() throws Exception {
        String exceptions = "{\"exceptionHistory\": {\"entries\": [{\"timestamp\": %d, \"stacktrace\": \"x\"}]}}"
            .formatted(NOW - 60_000);

        assertThat(Health.evaluate(json(RUNNING), json(CHECKPOINT_10_S_AGO), json(exceptions), 0, NOW).healthy()).isTrue();
    }

    @Test
    void aCheckpointThatFailedAfterTheLastCompletedOneIsUnhealthyButASavepointMayBeTried() throws Exception {
        String checkpoints = """
            {"latest": {"completed": {"id": 41, "latest_ack_timestamp": %d},
                        "failed": {"id": 42, "failure_timestamp": %d, "failure_message": "Checkpoint expired before completing."}}}"""
            .formatted(NOW - 70_000, NOW - 5_000);

        Health health = Health.evaluate(json(RUNNING), json(checkpoints), json(NO_EXCEPTIONS), 0, NOW);

        assertThat(health.problems()).containsExactly("checkpoint #42 failed 5 s ago (Checkpoint expired before "
            + "completing.) and none has completed since");
        assertThat(health.canTakeSavepoint()).isTrue();
    }

    @Test
    void gapsOpenPastTheirTimeoutMakeTheJobUnhealthy() throws Exception {
        Health health = Health.evaluate(json(RUNNING), json(CHECKPOINT_10_S_AGO), json(NO_EXCEPTIONS), 2, NOW);

        assertThat(health.problems()).containsExactly("2 gaps are open past the gap timeout: the event store could not "
            + "fill them (see the alerts topic)");
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }
}
