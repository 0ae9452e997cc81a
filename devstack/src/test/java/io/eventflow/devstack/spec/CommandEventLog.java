package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bson.BsonDocument;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;

/**
 * The command monitoring events one client entity observes: only the kinds named in {@code observeEvents}, never
 * {@code configureFailPoint}, the commands in {@code ignoreCommandMonitoringEvents} or the sensitive commands.
 */
final class CommandEventLog implements CommandListener {

    private static final Set<String> SENSITIVE = Set.of("authenticate", "saslstart", "saslcontinue", "getnonce",
        "createuser", "updateuser", "copydbgetnonce", "copydbsaslstart", "copydb");

    /** One observed event. */
    record Event(String type, String commandName, String databaseName, BsonDocument document, Throwable failure) {
    }

    private final Set<String> observed;
    private final Set<String> ignoredCommands;
    private final List<Event> events = new ArrayList<>();
    private volatile boolean recording = true;

    CommandEventLog(Set<String> observed, Set<String> ignoredCommands) {
        this.observed = observed;
        this.ignoredCommands = ignoredCommands;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    void stop() {
        recording = false;
    }

    private boolean ignoredName(String commandName) {
        String name = commandName.toLowerCase(java.util.Locale.ROOT);
        return name.equals("configurefailpoint") || ignoredCommands.contains(commandName) || SENSITIVE.contains(name);
    }

    /** hello carrying authentication is redacted by the driver: its command or reply is then empty. */
    private static boolean redactedHello(String commandName, BsonDocument document) {
        String name = commandName.toLowerCase(java.util.Locale.ROOT);
        return (name.equals("hello") || name.equals("ismaster")) && (document.isEmpty()
            || document.containsKey("speculativeAuthenticate"));
    }

    private synchronized void add(String type, String commandName, String database, BsonDocument document,
                                  Throwable failure) {
        if (recording && observed.contains(type)) {
            events.add(new Event(type, commandName, database, document, failure));
        }
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        if (!ignoredName(event.getCommandName()) && !redactedHello(event.getCommandName(), event.getCommand())) {
            add("commandStartedEvent", event.getCommandName(), event.getDatabaseName(), event.getCommand().clone(), null);
        }
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        if (!ignoredName(event.getCommandName()) && !redactedHello(event.getCommandName(), event.getResponse())) {
            add("commandSucceededEvent", event.getCommandName(), event.getDatabaseName(), event.getResponse().clone(), null);
        }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        if (!ignoredName(event.getCommandName())) {
            add("commandFailedEvent", event.getCommandName(), event.getDatabaseName(), null, event.getThrowable());
        }
    }
}
