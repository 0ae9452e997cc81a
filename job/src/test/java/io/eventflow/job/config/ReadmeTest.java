package io.eventflow.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** README's configuration reference must list every option the job has. */
class ReadmeTest {

    @Test
    void everyOptionIsDocumentedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigOption<?> option : JobOptions.ALL) {
            assertThat(readme.contains("| `" + option.key() + "` |")).as("README's table documents option %s", option.key()).isTrue();
        }
    }
}
