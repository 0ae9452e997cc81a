package io.eventflow.devstack.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected-failure lists are well formed: every line names a test and says why it fails. */
class ExpectedFailuresTest {

    @Test
    void everyListedTestHasASpecAFileAndAReasonAndIsListedOnce() {
        ExpectedFailures list = ExpectedFailures.fromResources(UnifiedSpecSuite.DRIVER_EXPECTED_FAILURES,
            "/spec/emulator-expected-failures.txt");

        assertThat(list.all()).isNotEmpty();
        list.all().forEach((id, reason) -> {
            assertThat(id.split("/", 3)).as("test id %s", id).hasSize(3);
            assertThat(UnifiedSpecSuite.SPECS).as("spec of %s", id).contains(id.substring(0, id.indexOf('/')));
            assertThat(reason).as("reason for %s", id).hasSizeGreaterThan(20);
        });
    }
}
