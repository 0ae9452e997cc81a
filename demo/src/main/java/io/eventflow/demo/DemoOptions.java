package io.eventflow.demo;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} options of the demo commands, with errors that name the option and the value. */
final class DemoOptions {

    private final Map<String, String> values = new HashMap<>();

    private DemoOptions() {
    }

    static DemoOptions parse(String[] args) {
        DemoOptions options = new DemoOptions();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, found '" + args[i] + "'");
            }
            options.values.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    int getInt(String key, int defaultValue) {
        return (int) getDouble(key, defaultValue);
    }

    double getDouble(String key, double defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + key + " has an invalid value '" + value + "': not a number");
        }
    }
}
