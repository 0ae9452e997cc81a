package io.eventflow.job.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a job writes. A job normally writes both; a zero-downtime rebuild runs a second job that writes read models
 * only, next to the job that keeps publishing to Kafka (see README, "Operations").
 */
public enum JobOutput {

    /** The projections and their version-guarded read models. */
    READ_MODELS,
    /** Events, dead letters, integrity violations and gap alerts on Kafka, exactly once. */
    KAFKA;

    /** The option's spelling: {@code read-models}, {@code kafka}. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static JobOutput parse(String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(output -> output.name().equals(normalized)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + value.trim() + "' is not one of "
                + Arrays.stream(values()).map(JobOutput::optionValue).toList()));
    }
}
