package io.eventflow.job.config;

import static io.eventflow.job.config.JobOptions.*;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.kafka.clients.producer.ProducerConfig;

import com.mongodb.ConnectionString;

import io.eventflow.job.model.RecordLimits;
import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.source.StartupMode;

/**
 * The job's validated configuration. Built by {@link #load(String[], Map)} or {@link #of(Map)}; every problem is
 * reported as an {@link InvalidConfigurationException} naming the option and the value, before the job starts.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Flink's upper limit of the maximum parallelism (the number of key groups). */
    static final int MAX_MAX_PARALLELISM = 32768;
    /** The Kafka producer's default max.request.size. */
    static final long DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /** Batch header (61 bytes), record header varints and header names, with room to spare. */
    static final int RECORD_OVERHEAD_BYTES = 1024;
    private static final Set<String> SECRET_WORDS = Set.of("password", "secret", "jaas", "credential", "token");

    private final Map<String, String> values;
    private final transient Configuration configuration;

    private JobConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        this.configuration = Configuration.fromMap(values);
        validate();
    }

    /**
     * From {@code --config <file>} (YAML or properties), then the environment, then the other {@code --key value}
     * arguments.
     */
    public static JobConfig load(String[] args, Map<String, String> environment) {
        Map<String, String> fromArguments = ConfigSources.fromArguments(args);
        Map<String, String> merged = new LinkedHashMap<>();
        String file = fromArguments.remove("config");
        if (file != null) {
            merged.putAll(ConfigSources.fromFile(Path.of(file)));
        }
        merged.putAll(ConfigSources.fromEnvironment(environment, ALL.stream().map(ConfigOption::key).toList()));
        merged.putAll(fromArguments);
        return new JobConfig(merged);
    }

    /** From explicit values, as tests and embedding programs give them. */
    public static JobConfig of(Map<String, String> values) {
        return new JobConfig(values);
    }

    /** A copy with some values changed. */
    public JobConfig with(Map<String, String> changes) {
        Map<String, String> copy = new HashMap<>(values);
        copy.putAll(changes);
        return new JobConfig(copy);
    }

    /** The outputs named by option {@code outputs}, in declaration order. */
    public EnumSet<JobOutput> outputs() {
        EnumSet<JobOutput> outputs = EnumSet.noneOf(JobOutput.class);
        for (String value : get(OUTPUTS)) {
            try {
                outputs.add(JobOutput.parse(value));
            } catch (IllegalArgumentException e) {
                throw invalid(OUTPUTS, e.getMessage());
            }
        }
        if (outputs.isEmpty()) {
            throw invalid(OUTPUTS, "must name at least one of [read-models, kafka]");
        }
        return outputs;
    }

    private void validate() {
        Set<String> known = ALL.stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (String key : values.keySet()) {
            if (!known.contains(key) && !key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                throw new InvalidConfigurationException("unknown option '" + key + "'" + suggestion(key, known));
            }
        }
        for (ConfigOption<?> option : ALL) {
            try {
                configuration().get(option);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException("option '" + option.key() + "' has an invalid value '"
                    + shown(option.key(), values.get(option.key())) + "': " + rootMessage(e), e);
            }
        }
        checkConnectionString(MONGODB_URI, require(MONGODB_URI));
        if (get(READMODEL_MONGODB_URI) != null) {
            checkConnectionString(READMODEL_MONGODB_URI, get(READMODEL_MONGODB_URI));
        }
        if (get(MONGODB_USERNAME) != null && get(MONGODB_PASSWORD) == null) {
            throw new InvalidConfigurationException("option 'mongodb.username' is set ('" + get(MONGODB_USERNAME)
                + "') but 'mongodb.password' is not; set it or EVENTFLOW_MONGODB_PASSWORD");
        }
        require(KAFKA_BOOTSTRAP_SERVERS);
        if (get(SOURCE_STARTUP_MODE) == StartupMode.TIMESTAMP) {
            startupTimestampMillis();
        }
        positive(SOURCE_PARALLELISM, get(SOURCE_PARALLELISM));
        positive(SOURCE_CHUNK_SIZE_MB, get(SOURCE_CHUNK_SIZE_MB));
        positive(SOURCE_BATCH_SIZE, get(SOURCE_BATCH_SIZE));
        positive(SOURCE_POLL_MAX_BATCH_SIZE, get(SOURCE_POLL_MAX_BATCH_SIZE));
        positive(SOURCE_POLL_INTERVAL, get(SOURCE_POLL_INTERVAL));
        positive(ORDERING_MAX_BUFFERED_PER_KEY, get(ORDERING_MAX_BUFFERED_PER_KEY));
        positive(ORDERING_GAP_FILL_PAGE_SIZE, get(ORDERING_GAP_FILL_PAGE_SIZE));
        positive(ORDERING_GAP_FILL_TIMEOUT, get(ORDERING_GAP_FILL_TIMEOUT));
        positive(ORDERING_GAP_FILL_MAX_BACKOFF, get(ORDERING_GAP_FILL_MAX_BACKOFF));
        positive(READMODEL_BATCH_SIZE, get(READMODEL_BATCH_SIZE));
        positive(KAFKA_MAX_RECORD_BYTES, get(KAFKA_MAX_RECORD_BYTES));
        positive(DEAD_LETTER_MAX_DOCUMENT_BYTES, get(DEAD_LETTER_MAX_DOCUMENT_BYTES));
        validateRecordBudget();
        if (get(READMODEL_MAX_RETRIES) < 0) {
            throw invalid(READMODEL_MAX_RETRIES, "must be 0 or more");
        }
        if (get(JOB_PARALLELISM) == 0 || get(JOB_PARALLELISM) < -1) {
            throw invalid(JOB_PARALLELISM, "must be -1 (the cluster's default) or 1 or more");
        }
        int maxParallelism = get(JOB_MAX_PARALLELISM);
        if (maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
            throw invalid(JOB_MAX_PARALLELISM, "must be between 1 and " + MAX_MAX_PARALLELISM);
        }
        if (get(JOB_PARALLELISM) > maxParallelism || get(SOURCE_PARALLELISM) > maxParallelism) {
            throw invalid(JOB_MAX_PARALLELISM, "is below job.parallelism (" + get(JOB_PARALLELISM)
                + ") or source.parallelism (" + get(SOURCE_PARALLELISM) + ")");
        }
        positive(ORDERING_GAP_TIMEOUT, get(ORDERING_GAP_TIMEOUT));
        positive(ORDERING_SNAPSHOT_GAP_TIMEOUT, get(ORDERING_SNAPSHOT_GAP_TIMEOUT));
        positive(CHECKPOINT_INTERVAL, get(CHECKPOINT_INTERVAL));
        positive(CHECKPOINT_TIMEOUT, get(CHECKPOINT_TIMEOUT));
        positive(READMODEL_BATCH_INTERVAL, get(READMODEL_BATCH_INTERVAL));
        if (get(PROJECTION_FLUSH_INTERVAL).isNegative()) {
            throw invalid(PROJECTION_FLUSH_INTERVAL, "must not be negative");
        }
        if (get(PROJECTION_CATCH_UP_FLUSH_INTERVAL).compareTo(get(PROJECTION_FLUSH_INTERVAL)) < 0) {
            throw invalid(PROJECTION_CATCH_UP_FLUSH_INTERVAL, "must not be shorter than projection.flush-interval ("
                + get(PROJECTION_FLUSH_INTERVAL).toMillis() + " ms)");
        }
        if (get(PROJECTION_CATCH_UP_LAG).isNegative()) {
            throw invalid(PROJECTION_CATCH_UP_LAG, "must not be negative");
        }
        if (get(SOURCE_HEARTBEAT_INTERVAL).isNegative()) {
            throw invalid(SOURCE_HEARTBEAT_INTERVAL, "must not be negative");
        }
        Duration transactionTimeout = get(KAFKA_TRANSACTION_TIMEOUT);
        Duration needed = get(CHECKPOINT_INTERVAL).plus(get(CHECKPOINT_TIMEOUT));
        if (transactionTimeout.compareTo(needed) <= 0) {
            throw invalid(KAFKA_TRANSACTION_TIMEOUT, "must be longer than checkpoint.interval + checkpoint.timeout ("
                + needed + "): a transaction stays open until its checkpoint completes");
        }
        outputs();
        for (String projection : get(PROJECTIONS) == null ? List.<String>of() : get(PROJECTIONS)) {
            if (projection.isBlank()) {
                throw invalid(PROJECTIONS, "must not contain an empty name");
            }
        }
        for (String text : List.of(get(MONGODB_DATABASE), get(MONGODB_COLLECTION), get(READMODEL_DATABASE),
            get(KAFKA_TOPIC_PREFIX), get(KAFKA_TRANSACTIONAL_ID_PREFIX), get(SOURCE_UID), get(JOB_NAME))) {
            if (text.isBlank()) {
                throw new InvalidConfigurationException("a name option is blank: " + redactedValues());
            }
        }
    }

    /** A connection string must parse and hold no password (credentials are options of their own, never logged). */
    private static void checkConnectionString(ConfigOption<String> option, String uri) {
        try {
            ConnectionString parsed = new ConnectionString(uri);
            if (parsed.getPassword() != null) {
                throw new InvalidConfigurationException("option '" + option.key() + "' contains a password; put "
                    + "credentials in mongodb.username and mongodb.password (or EVENTFLOW_MONGODB_PASSWORD), never in "
                    + "the uri");
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException("option '" + option.key() + "' has an invalid value '" + uri + "': "
                + e.getMessage(), e);
        }
    }

    /**
     * Every record must fit kafka.max-record-bytes, and that must fit the producers' max.request.size with room for
     * the batch and record headers: else the producer refuses a record and the job fails on every restart.
     */
    private void validateRecordBudget() {
        int maxRecordBytes = get(KAFKA_MAX_RECORD_BYTES);
        String requestSize = kafkaProperties().getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        long maxRequestSize;
        try {
            maxRequestSize = requestSize == null ? DEFAULT_MAX_REQUEST_SIZE : Long.parseLong(requestSize.trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("option '" + KAFKA_PROPERTIES_PREFIX
                + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + "' has an invalid value '" + requestSize + "': not a number");
        }
        if (maxRecordBytes + RECORD_OVERHEAD_BYTES > maxRequestSize) {
            throw invalid(KAFKA_MAX_RECORD_BYTES, "a record of this size plus " + RECORD_OVERHEAD_BYTES + " bytes of batch "
                + "and record headers exceeds the producers' max.request.size (" + maxRequestSize + "); lower it or raise "
                + KAFKA_PROPERTIES_PREFIX + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " (and the topics' max.message.bytes)");
        }
        long worstCase = recordLimits().worstCaseSideRecordBytes();
        if (worstCase > maxRecordBytes) {
            throw invalid(DEAD_LETTER_MAX_DOCUMENT_BYTES, "an integrity record holds two documents of up to this many "
                + "bytes and up to " + (worstCase - 2L * get(DEAD_LETTER_MAX_DOCUMENT_BYTES)) + " bytes of other fields, "
                + worstCase + " in all, more than kafka.max-record-bytes (" + maxRecordBytes + "); lower it or raise "
                + "kafka.max-record-bytes");
        }
    }

    /** The bounds of the dead-letter, integrity and alert records. */
    public RecordLimits recordLimits() {
        return new RecordLimits(get(KAFKA_MAX_RECORD_BYTES), get(DEAD_LETTER_MAX_DOCUMENT_BYTES));
    }

    private Configuration configuration() {
        return configuration != null ? configuration : Configuration.fromMap(values);
    }

    /** The typed value of an option (its default when not set). */
    public <T> T get(ConfigOption<T> option) {
        return configuration().get(option);
    }

    /** The projections the {@code projections} option names; empty when it is not set (run every one discovered). */
    public java.util.List<String> projections() {
        java.util.List<String> names = get(PROJECTIONS);
        return names == null ? java.util.List.of() : names.stream().map(String::trim).filter(name -> !name.isEmpty()).toList();
    }

    /** The connection of the read models: {@code readmodel.mongodb.uri}, else the event store's. */
    public MongoConnection readModelStore() {
        String uri = get(READMODEL_MONGODB_URI);
        return uri == null ? eventStore() : new MongoConnection(uri, get(MONGODB_USERNAME), get(MONGODB_PASSWORD));
    }

    /** The event store's connection. */
    public MongoConnection eventStore() {
        return new MongoConnection(get(MONGODB_URI), get(MONGODB_USERNAME), get(MONGODB_PASSWORD));
    }

    /** {@code source.startup.timestamp} in epoch milliseconds. */
    public long startupTimestampMillis() {
        String value = get(SOURCE_STARTUP_TIMESTAMP);
        if (value == null) {
            throw invalid(SOURCE_STARTUP_TIMESTAMP, "is required when source.startup.mode is TIMESTAMP");
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidConfigurationException("option 'source.startup.timestamp' has an invalid value '" + value
                + "': expected an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch milliseconds");
        }
    }

    /** Producer settings passed through under {@code kafka.properties.}. */
    public Properties kafkaProperties() {
        Properties properties = new Properties();
        values.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX)) {
                properties.setProperty(key.substring(KAFKA_PROPERTIES_PREFIX.length()), value);
            }
        });
        return properties;
    }

    /** The effective settings with secrets masked, for logs. */
    public Map<String, String> redactedValues() {
        Map<String, String> redacted = new LinkedHashMap<>();
        values.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .forEach(entry -> redacted.put(entry.getKey(), shown(entry.getKey(), entry.getValue())));
        return redacted;
    }

    @Override
    public String toString() {
        return "JobConfig" + redactedValues();
    }

    static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(lower::contains);
    }

    private static String shown(String key, String value) {
        return value != null && isSecret(key) ? "****" : value;
    }

    private String require(ConfigOption<String> option) {
        String value = get(option);
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationException("option '" + option.key() + "' is required: " + describe(option));
        }
        return value;
    }

    /** An option's description as plain text. */
    public static String describe(ConfigOption<?> option) {
        return new HtmlFormatter().format(option.description()).replaceAll("<[^>]+>", "")
            .replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&");
    }

    private void positive(ConfigOption<Integer> option, int value) {
        if (value < 1) {
            throw invalid(option, "must be 1 or more");
        }
    }

    private void positive(ConfigOption<Duration> option, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw invalid(option, "must be positive");
        }
    }

    private InvalidConfigurationException invalid(ConfigOption<?> option, String rule) {
        return new InvalidConfigurationException("option '" + option.key() + "' has an invalid value '"
            + shown(option.key(), values.getOrDefault(option.key(), written(configuration().get(option)))) + "': " + rule);
    }

    /** A value as a user writes it in the options: durations as "1 s", not "PT1S". */
    private static String written(Object value) {
        return value instanceof Duration duration ? org.apache.flink.util.TimeUtils.formatWithHighestUnit(duration)
            : String.valueOf(value);
    }

    private static String suggestion(String key, Set<String> known) {
        return Suggestions.closest(key, known).map(candidate -> "; did you mean '" + candidate + "'?")
            .orElse("; known options are listed in README.md");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
