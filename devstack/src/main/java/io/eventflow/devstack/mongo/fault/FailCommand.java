package io.eventflow.devstack.mongo.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;

/**
 * A fault to inject: MongoDB's {@code failCommand} fail point. The next {@link #times()} commands with one of the
 * given names fail with an error code and labels, close the client's connection, stall, or succeed but report a
 * write concern error (which is how a server signals that a commit may or may not have happened).
 *
 * <pre>{@code
 * server.failCommand(FailCommand.on("insert").times(2).errorCode(112).errorLabels("TransientTransactionError").build());
 * server.failCommand(FailCommand.on("commitTransaction").times(2).writeConcernError(91, "ShutdownInProgress").build());
 * }</pre>
 *
 * The same fail point can be set through the wire with MongoDB's own command, so tests work against a real server
 * started with {@code enableTestCommands=1} too: {@code {configureFailPoint: "failCommand", mode: {times: 2},
 * data: {failCommands: ["insert"], errorCode: 112}}}.
 */
public final class FailCommand {

    /** {@link #times()} value for a fail point that stays on until disabled. */
    public static final int ALWAYS = -1;

    private final Set<String> commands;
    private final int times;
    private final Integer errorCode;
    private final List<String> errorLabels;
    private final boolean closeConnection;
    private final Duration blockTime;
    private final Document writeConcernError;
    private final String appName;

    private FailCommand(Builder builder) {
        this.commands = Set.copyOf(builder.commands);
        this.times = builder.times;
        this.errorCode = builder.errorCode;
        this.errorLabels = builder.errorLabels == null ? null : List.copyOf(builder.errorLabels);
        this.closeConnection = builder.closeConnection;
        this.blockTime = builder.blockTime;
        this.writeConcernError = builder.writeConcernError;
        this.appName = builder.appName;
    }

    /** Starts a fail point on the named commands (for example {@code "insert"}, {@code "getMore"}). */
    public static Builder on(String... commands) {
        return new Builder(commands);
    }

    /**
     * Parses MongoDB's {@code configureFailPoint} command.
     *
     * @return the fail point, or {@code null} for {@code mode: "off"}
     * @throws IllegalArgumentException naming the field and value that cannot be understood
     */
    @SuppressWarnings("unchecked")
    public static FailCommand fromCommand(Document command) {
        Object name = command.get("configureFailPoint");
        if (!"failCommand".equals(name)) {
            throw new IllegalArgumentException("configureFailPoint: only the 'failCommand' fail point exists, not '" + name + "'");
        }
        Object mode = command.get("mode");
        if ("off".equals(mode)) {
            return null;
        }
        Document data = (Document) command.getOrDefault("data", new Document());
        Object failCommands = data.get("failCommands");
        if (!(failCommands instanceof List<?> names) || names.isEmpty()) {
            throw new IllegalArgumentException("configureFailPoint: data.failCommands must be a non-empty array, was " + failCommands);
        }
        Builder builder = new Builder(((List<String>) names).toArray(String[]::new));
        if ("alwaysOn".equals(mode)) {
            builder.alwaysOn();
        } else if (mode instanceof Document modeDocument && modeDocument.get("times") instanceof Number times) {
            builder.times(times.intValue());
        } else {
            throw new IllegalArgumentException("configureFailPoint: mode must be 'off', 'alwaysOn' or {times: n}, was " + mode);
        }
        if (data.get("errorCode") instanceof Number code) {
            builder.errorCode(code.intValue());
        }
        if (data.get("errorLabels") instanceof List<?> labels) {
            builder.errorLabels(((List<String>) labels).toArray(String[]::new));
        }
        if (Boolean.TRUE.equals(data.get("closeConnection"))) {
            builder.closeConnection();
        }
        if (Boolean.TRUE.equals(data.get("blockConnection"))) {
            builder.blockFor(Duration.ofMillis(((Number) data.getOrDefault("blockTimeMS", 0)).longValue()));
        }
        if (data.get("writeConcernError") instanceof Document writeConcernError) {
            builder.writeConcernError = writeConcernError;
        }
        if (data.get("appName") instanceof String appName) {
            builder.appName(appName);
        }
        return builder.build();
    }

    public Set<String> commands() {
        return commands;
    }

    /** How many commands fail, or {@link #ALWAYS}. */
    public int times() {
        return times;
    }

    public Integer errorCode() {
        return errorCode;
    }

    /** The labels to report, or {@code null} to let the server label the error as it normally would. */
    public List<String> errorLabels() {
        return errorLabels;
    }

    public boolean closeConnection() {
        return closeConnection;
    }

    public Duration blockTime() {
        return blockTime;
    }

    public Document writeConcernError() {
        return writeConcernError;
    }

    public String appName() {
        return appName;
    }

    /** Whether this fail point applies to a command from a client with the given application name. */
    boolean matches(String command, String clientAppName) {
        return commands.contains(command) && (appName == null || appName.equals(clientAppName));
    }

    FailCommand withTimes(int remaining) {
        Builder builder = new Builder(commands.toArray(String[]::new));
        builder.times = remaining;
        builder.errorCode = errorCode;
        builder.errorLabels = errorLabels;
        builder.closeConnection = closeConnection;
        builder.blockTime = blockTime;
        builder.writeConcernError = writeConcernError;
        builder.appName = appName;
        return builder.build();
    }

    @Override
    public String toString() {
        return "FailCommand" + commands + "{times=" + (times == ALWAYS ? "always" : times)
            + (errorCode != null ? ", errorCode=" + errorCode : "")
            + (errorLabels != null ? ", errorLabels=" + errorLabels : "")
            + (closeConnection ? ", closeConnection" : "")
            + (blockTime != null ? ", block=" + blockTime : "")
            + (writeConcernError != null ? ", writeConcernError=" + writeConcernError : "")
            + (appName != null ? ", appName=" + appName : "") + "}";
    }

    /** Builds a {@link FailCommand}. */
    public static final class Builder {
        private final Set<String> commands = new LinkedHashSet<>();
        private int times = 1;
        private Integer errorCode;
        private List<String> errorLabels;
        private boolean closeConnection;
        private Duration blockTime;
        private Document writeConcernError;
        private String appName;

        private Builder(String... commands) {
            for (String command : commands) {
                this.commands.add(Objects.requireNonNull(command, "command"));
            }
        }

        /** Fails the next {@code times} matching commands (default 1). */
        public Builder times(int times) {
            if (times < 1) {
                throw new IllegalArgumentException("times must be at least 1, was " + times);
            }
            this.times = times;
            return this;
        }

        /** Fails every matching command until the fail point is cleared. */
        public Builder alwaysOn() {
            this.times = ALWAYS;
            return this;
        }

        public Builder errorCode(int errorCode) {
            this.errorCode = errorCode;
            return this;
        }

        /** Labels to report instead of those the server would add, e.g. {@code TransientTransactionError}. */
        public Builder errorLabels(String... labels) {
            this.errorLabels = new ArrayList<>(List.of(labels));
            return this;
        }

        /** Closes the client's connection instead of replying: the client sees a network error. */
        public Builder closeConnection() {
            this.closeConnection = true;
            return this;
        }

        /** Stalls the command before it runs. */
        public Builder blockFor(Duration duration) {
            this.blockTime = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** Runs the command, then reports this write concern error: the outcome is unknown to the client. */
        public Builder writeConcernError(int code, String codeName) {
            this.writeConcernError = new Document("code", code).append("codeName", codeName)
                .append("errmsg", "Failing write concern via 'failCommand' failpoint (" + codeName + ")");
            return this;
        }

        /** Only fails commands from clients whose application name is this. */
        public Builder appName(String appName) {
            this.appName = appName;
            return this;
        }

        public FailCommand build() {
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("a fail point needs at least one command name");
            }
            if (errorCode == null && !closeConnection && blockTime == null && writeConcernError == null) {
                throw new IllegalArgumentException("fail point on " + commands + " does nothing: set errorCode, "
                    + "closeConnection, blockFor or writeConcernError");
            }
            return new FailCommand(this);
        }
    }
}
