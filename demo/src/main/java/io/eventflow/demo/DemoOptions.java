package io.eventflow.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --key value} options of the demo commands, with errors that name the option and the value. */
final class DemoOptions {

    private final Map<String, String> values = new HashMap<>();

    private DemoOptions() {
    }

    static DemoOptions parse(String[] args) {
        return parse(args, Set.of());
    }

    /** Options with a value each, and {@code flags}, named without a value ({@code --cluster}). */
    static DemoOptions parse(String[] args, Set<String> flags) {
        DemoOptions options = new DemoOptions();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && flags.contains(args[i].substring(2))) {
                options.values.put(args[i].substring(2), "true");
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, found '" + args[i] + "'");
            }
            options.values.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    /** Whether the option or flag was given. */
    boolean has(String key) {
        return values.containsKey(key);
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
