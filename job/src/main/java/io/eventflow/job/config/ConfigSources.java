package io.eventflow.job.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Gathers option values from a file, the environment and command-line arguments into one flat map of
 * {@code key -> value}, later sources overriding earlier ones.
 */
final class ConfigSources {

    static final String ENV_PREFIX = "EVENTFLOW_";

    private ConfigSources() {
    }

    /** A YAML (.yaml, .yml; nested maps are joined with dots) or properties file. */
    static Map<String, String> fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigurationException("configuration file '" + file + "' does not exist");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                try (InputStream in = Files.newInputStream(file)) {
                    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(in);
                    Map<String, String> values = new LinkedHashMap<>();
                    if (tree != null) {
                        flatten("", tree, values);
                    }
                    return values;
                }
            }
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            Map<String, String> values = new LinkedHashMap<>();
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
            return values;
        } catch (IOException e) {
            throw new InvalidConfigurationException("configuration file '" + file + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> values) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(prefix.isEmpty() ? field.getKey()
                : prefix + "." + field.getKey(), field.getValue(), values));
        } else if (node.isArray()) {
            List<String> items = new java.util.ArrayList<>();
            node.forEach(item -> items.add(item.asText()));
            values.put(prefix, String.join(";", items));
        } else if (!node.isNull()) {
            values.put(prefix, node.asText());
        }
    }

    /** {@code EVENTFLOW_MONGODB_PASSWORD} for {@code mongodb.password}, for every known option. */
    static Map<String, String> fromEnvironment(Map<String, String> environment, List<String> knownKeys) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : knownKeys) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                values.put(key, value);
            }
        }
        environment.forEach((name, value) -> {
            String kafkaPrefix = ENV_PREFIX + "KAFKA_PROPERTIES_";
            if (name.startsWith(kafkaPrefix)) {
                values.put(JobOptions.KAFKA_PROPERTIES_PREFIX
                    + name.substring(kafkaPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return values;
    }

    static String environmentName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** {@code --key value} and {@code --key=value} pairs; {@code --config} is handled by the caller. */
    static Map<String, String> fromArguments(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new InvalidConfigurationException("unexpected argument '" + arg + "': options are --key value");
            }
            String key = arg.substring(2);
            String value;
            int equals = key.indexOf('=');
            if (equals >= 0) {
                value = key.substring(equals + 1);
                key = key.substring(0, equals);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new InvalidConfigurationException("option '" + key + "' has no value");
            }
            values.put(key, value);
        }
        return values;
    }
}
