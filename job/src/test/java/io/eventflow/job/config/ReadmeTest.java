package io.eventflow.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/** README's configuration reference must list every option the job has, with its current default. */
class ReadmeTest {

    @Test
    void everyOptionIsDocumentedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigOption<?> option : JobOptions.ALL) {
            assertThat(readme).as("README's table documents option %s with its default", option.key())
                .contains("| `" + option.key() + "` | `" + formatDefault(option) + "` |");
        }
    }

    private static String formatDefault(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        if (value instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration);
        }
        if (value instanceof List<?> list) {
            return String.join(";", list.stream().map(String::valueOf).toList());
        }
        return value.toString().isEmpty() ? "(empty)" : value.toString();
    }
}
