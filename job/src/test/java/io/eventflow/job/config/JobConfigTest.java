package io.eventflow.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eventflow.job.ordering.GapPolicy;
import io.eventflow.job.source.StartupMode;

class JobConfigTest {

    private static final Map<String, String> REQUIRED = Map.of("mongodb.uri", "mongodb://db:27017/?replicaSet=rs0",
        "kafka.bootstrap-servers", "kafka:9092");

    @Test
    void everyOptionHasItsDocumentedDefault() {
        JobConfig config = JobConfig.of(REQUIRED);

        assertThat(config.get(JobOptions.MONGODB_DATABASE)).isEqualTo("eventstore");
        assertThat(config.get(JobOptions.MONGODB_COLLECTION)).isEqualTo("events");
        assertThat(config.get(JobOptions.SOURCE_STARTUP_MODE)).isEqualTo(StartupMode.INITIAL);
        assertThat(config.get(JobOptions.ORDERING_GAP_TIMEOUT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(JobOptions.ORDERING_GAP_POLICY)).isEqualTo(GapPolicy.WAIT);
        assertThat(config.get(JobOptions.READMODEL_DATABASE)).isEqualTo("readmodels");
        assertThat(config.get(JobOptions.KAFKA_TOPIC_PREFIX)).isEqualTo("events");
        assertThat(config.projections()).as("every projection discovered").isEmpty();
        assertThat(JobConfig.of(with(Map.of("projections", "order; stream-summary"))).projections())
            .containsExactly("order", "stream-summary");
        assertThat(JobOptions.ALL).allSatisfy(option -> assertThat(option.description().toString()).isNotBlank());
    }

    @Test
    void argumentsOverrideTheEnvironmentWhichOverridesTheFile(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("job.yaml");
        Files.writeString(file, """
            mongodb:
              uri: mongodb://from-file:27017
              database: fromfile
            kafka:
              bootstrap-servers: file:9092
            ordering:
              gap-timeout: 30 s
              gap-policy: SKIP
            projections: [order]
            """);
        Map<String, String> environment = Map.of("EVENTFLOW_MONGODB_DATABASE", "fromenv", "EVENTFLOW_MONGODB_PASSWORD", "s3cret",
            "EVENTFLOW_MONGODB_USERNAME", "svc", "EVENTFLOW_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_SSL");

        JobConfig config = JobConfig.load(new String[] {"--config", file.toString(), "--ordering.gap-policy", "FAIL",
            "--kafka.properties.sasl.mechanism=SCRAM-SHA-512"}, environment);

        assertThat(config.get(JobOptions.MONGODB_URI)).isEqualTo("mongodb://from-file:27017");
        assertThat(config.get(JobOptions.MONGODB_DATABASE)).isEqualTo("fromenv");
        assertThat(config.get(JobOptions.ORDERING_GAP_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(JobOptions.ORDERING_GAP_POLICY)).isEqualTo(GapPolicy.FAIL);
        assertThat(config.get(JobOptions.PROJECTIONS)).containsExactly("order");
        assertThat(config.eventStore().password()).isEqualTo("s3cret");
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL")
            .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    }

    @Test
    void secretsAreMaskedWhereverTheConfigurationIsPrinted() {
        JobConfig config = JobConfig.of(with(Map.of("mongodb.username", "svc", "mongodb.password", "s3cret",
            "kafka.properties.sasl.jaas.config", "ScramLoginModule required password=\"k4fka\";")));

        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("k4fka")
            .contains("mongodb.password=****").contains("kafka.properties.sasl.jaas.config=****");
        assertThat(config.eventStore().toString()).doesNotContain("s3cret").contains("password ****");
        assertThat(config.eventStore().uriWithCredentials()).isEqualTo("mongodb://svc:s3cret@db:27017/?replicaSet=rs0");
    }

    @Test
    void mistakesAreReportedNamingTheOptionAndTheValue() {
        assertInvalid(Map.of("ordering.gap-polcy", "WAIT"), "unknown option 'ordering.gap-polcy'; did you mean 'ordering.gap-policy'?");
        assertInvalid(Map.of("ordering.gap-policy", "MAYBE"), "option 'ordering.gap-policy' has an invalid value 'MAYBE'");
        assertInvalid(Map.of("ordering.gap-timeout", "soon"), "option 'ordering.gap-timeout' has an invalid value 'soon'");
        assertInvalid(Map.of("ordering.gap-timeout", "0 s"), "option 'ordering.gap-timeout' has an invalid value '0 s': must be positive");
        assertInvalid(Map.of("source.parallelism", "0"), "option 'source.parallelism' has an invalid value '0': must be 1 or more");
        assertInvalid(Map.of("source.startup.mode", "TIMESTAMP"),
            "option 'source.startup.timestamp' has an invalid value 'null': is required when source.startup.mode is TIMESTAMP");
        assertInvalid(Map.of("source.startup.mode", "TIMESTAMP", "source.startup.timestamp", "yesterday"),
            "option 'source.startup.timestamp' has an invalid value 'yesterday'");
        assertInvalid(Map.of("mongodb.uri", "mongodb://svc:pw@db:27017"), "option 'mongodb.uri' contains a password");
        assertInvalid(Map.of("readmodel.mongodb.uri", "mongodb://svc:pw@rm:27017"),
            "option 'readmodel.mongodb.uri' contains a password");
        assertInvalid(Map.of("mongodb.uri", "http://db"), "option 'mongodb.uri' has an invalid value 'http://db'");
        assertInvalid(Map.of("mongodb.username", "svc"), "option 'mongodb.username' is set ('svc') but 'mongodb.password' is not");
        assertInvalid(Map.of("kafka.transaction-timeout", "1 min"),
            "option 'kafka.transaction-timeout' has an invalid value '1 min': must be longer than checkpoint.interval + checkpoint.timeout");
        assertInvalid(Map.of("job.parallelism", "0"), "option 'job.parallelism' has an invalid value '0'");
        assertInvalid(Map.of("projection.flush-interval", "2 s"), "option 'projection.catch-up.flush-interval' has an "
            + "invalid value '1 s': must not be shorter than projection.flush-interval (2000 ms)");
        assertInvalid(Map.of("outputs", "read-models;elastic"),
            "option 'outputs' has an invalid value 'read-models;elastic': 'elastic' is not one of [read-models, kafka]");
        assertThatThrownBy(() -> JobConfig.of(Map.of("kafka.bootstrap-servers", "k:9092")))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageStartingWith("option 'mongodb.uri' is required: Connection string of the event store's replica set");
        assertThatThrownBy(() -> JobConfig.load(new String[] {"--config", "/no/such/file.yaml"}, Map.of()))
            .hasMessage("configuration file '/no/such/file.yaml' does not exist");
        assertThatThrownBy(() -> JobConfig.load(new String[] {"stray"}, Map.of()))
            .hasMessage("unexpected argument 'stray': options are --key value");
    }

    @Test
    void outputsNameWhatTheJobWrites() {
        assertThat(JobConfig.of(REQUIRED).outputs()).containsExactly(JobOutput.READ_MODELS, JobOutput.KAFKA);
        assertThat(JobConfig.of(with(Map.of("outputs", "read-models"))).outputs()).containsExactly(JobOutput.READ_MODELS);
        assertThat(JobConfig.of(with(Map.of("outputs", "KAFKA"))).outputs()).containsExactly(JobOutput.KAFKA);
    }

    @Test
    void theMaxParallelismIsBetweenTheParallelismsAndFlinksLimit() {
        assertThat(JobConfig.of(REQUIRED).get(JobOptions.JOB_MAX_PARALLELISM)).isEqualTo(128);
        assertInvalid(Map.of("job.max-parallelism", "40000"), "option 'job.max-parallelism' has an invalid value "
            + "'40000': must be between 1 and 32768");
        assertInvalid(Map.of("job.max-parallelism", "4", "job.parallelism", "8"), "option 'job.max-parallelism' has "
            + "an invalid value '4': is below job.parallelism (8) or source.parallelism (1)");
    }

    @Test
    void everyRecordMustFitTheProducersRequestSizeWithItsHeaders() {
        assertInvalid(Map.of("kafka.max-record-bytes", "1048576"), "option 'kafka.max-record-bytes' has an invalid value "
            + "'1048576': a record of this size plus 1024 bytes of batch and record headers exceeds the producers' "
            + "max.request.size (1048576)");
        assertInvalid(Map.of("kafka.max-record-bytes", "2000000", "kafka.properties.max.request.size", "1500000"),
            "exceeds the producers' max.request.size (1500000)");
        assertThat(JobConfig.of(with(Map.of("kafka.max-record-bytes", "2000000", "kafka.properties.max.request.size",
            "3000000"))).recordLimits().maxRecordBytes()).isEqualTo(2_000_000);
    }

    @Test
    void anIntegrityRecordsTwoDocumentsAndOtherFieldsMustFitTheRecordBudget() {
        assertInvalid(Map.of("dead-letter.max-document-bytes", "495000"), "option 'dead-letter.max-document-bytes' has an "
            + "invalid value '495000': an integrity record holds two documents of up to this many bytes and up to 19456 "
            + "bytes of other fields, 1009456 in all, more than kafka.max-record-bytes (1000000)");
        assertThat(JobConfig.of(with(Map.of("dead-letter.max-document-bytes", "490000"))).recordLimits()
            .worstCaseSideRecordBytes()).isLessThanOrEqualTo(1_000_000);
    }

    private static void assertInvalid(Map<String, String> values, String message) {
        assertThatThrownBy(() -> JobConfig.of(with(values)))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining(message);
    }

    private static Map<String, String> with(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(REQUIRED);
        all.putAll(values);
        return all;
    }
}
