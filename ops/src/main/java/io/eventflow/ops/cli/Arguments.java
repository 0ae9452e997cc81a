package io.eventflow.ops.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code command --key value ... [-- job arguments]}: the options of an ops command, then, after {@code --}, the
 * arguments passed to the job as they are.
 */
final class Arguments {

    private final String command;
    private final Map<String, String> options = new HashMap<>();
    private final List<String> jobArguments = new ArrayList<>();
    private final Map<String, String> environment;

    Arguments(String[] args, Map<String, String> environment) {
        this.environment = environment;
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        command = args[0];
        int i = 1;
        for (; i < args.length && !args[i].equals("--"); i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new UsageException("expected --option value, found '" + arg + "'");
            }
            options.put(arg.substring(2), args[++i]);
        }
        for (i++; i < args.length; i++) {
            jobArguments.add(args[i]);
        }
    }

    String command() {
        return command;
    }

    /** The option, else the environment variable {@code EVENTFLOW_<OPTION>}, else the default. */
    String get(String option, String defaultValue) {
        String fromEnvironment = environment.get("EVENTFLOW_" + option.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        return options.getOrDefault(option, fromEnvironment != null ? fromEnvironment : defaultValue);
    }

    String require(String option) {
        String value = get(option, null);
        if (value == null || value.isBlank()) {
            throw new UsageException(command + " needs --" + option);
        }
        return value;
    }

    long getLong(String option, long defaultValue) {
        String value = get(option, null);
        try {
            return value == null ? defaultValue : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + option + " has an invalid value '" + value + "': not a whole number");
        }
    }

    /** A duration such as {@code 30s}, {@code 5min}, {@code 2h} or {@code 500ms}; a bare number is seconds. */
    Duration getDuration(String option, Duration defaultValue) {
        String value = get(option, null);
        if (value == null) {
            return defaultValue;
        }
        String trimmed = value.trim();
        try {
            if (trimmed.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(trimmed.substring(0, trimmed.length() - 2)));
            }
            if (trimmed.endsWith("min")) {
                return Duration.ofMinutes(Long.parseLong(trimmed.substring(0, trimmed.length() - 3)));
            }
            if (trimmed.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
            }
            if (trimmed.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(trimmed));
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + option + " has an invalid value '" + value
                + "': use 500ms, 30s, 5min or 2h");
        }
    }

    List<String> jobArguments() {
        return List.copyOf(jobArguments);
    }

    /** Fails on an option the command does not know, naming it. */
    void allowOnly(Set<String> known) {
        for (String option : options.keySet()) {
            if (!known.contains(option)) {
                throw new UsageException(command + " has no option --" + option + "; it knows " + known.stream().sorted()
                    .map(name -> "--" + name).toList());
            }
        }
    }

    /** A mistake in the command line; the CLI prints it with the usage and exits with 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
