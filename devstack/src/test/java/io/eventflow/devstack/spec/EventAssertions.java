package io.eventflow.devstack.spec;

import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonValue;

/** Checks the command events a client observed against an {@code expectEvents} entry. */
final class EventAssertions {

    private EventAssertions() {
    }

    static void check(BsonDocument expectation, Entities entities, ValueMatcher matcher) {
        String clientId = expectation.getString("client").getValue();
        String eventType = expectation.getString("eventType", new org.bson.BsonString("command")).getValue();
        if (!eventType.equals("command")) {
            throw new RunnerException("expectEvents of type '" + eventType + "' are not supported by this runner");
        }
        boolean ignoreExtra = expectation.getBoolean("ignoreExtraEvents", org.bson.BsonBoolean.FALSE).getValue();
        List<BsonValue> expected = expectation.getArray("events").getValues();
        List<CommandEventLog.Event> actual = entities.client(clientId).events().events();
        if (actual.size() < expected.size() || (!ignoreExtra && actual.size() != expected.size())) {
            throw new AssertionError("client " + clientId + ": expected " + expected.size() + " events, observed "
                + actual.size() + ": " + describe(actual));
        }
        for (int i = 0; i < expected.size(); i++) {
            BsonDocument wrapper = expected.get(i).asDocument();
            String type = wrapper.getFirstKey();
            BsonDocument spec = wrapper.getDocument(type);
            CommandEventLog.Event event = actual.get(i);
            String path = "events[" + i + "]";
            if (!type.equals(event.type())) {
                throw new AssertionError(path + ": expected a " + type + ", observed " + event.type() + " of "
                    + event.commandName() + "; all events: " + describe(actual));
            }
            for (String key : spec.keySet()) {
                BsonValue value = spec.get(key);
                switch (key) {
                    case "command", "reply" -> matcher.matchRoot(path + "." + key, value, event.document());
                    case "commandName" -> {
                        if (!value.asString().getValue().equals(event.commandName())) {
                            throw new AssertionError(path + ": expected command " + value.asString().getValue()
                                + ", observed " + event.commandName() + "; all events: " + describe(actual));
                        }
                    }
                    case "databaseName" -> {
                        if (!value.asString().getValue().equals(event.databaseName())) {
                            throw new AssertionError(path + ": expected database " + value.asString().getValue()
                                + ", observed " + event.databaseName());
                        }
                    }
                    case "hasServiceId", "hasServerConnectionId" -> { }
                    default -> throw new RunnerException("expected event field '" + key
                        + "' is not supported by this runner");
                }
            }
        }
    }

    private static String describe(List<CommandEventLog.Event> events) {
        return events.stream().map(event -> event.type().replace("Event", "") + ":" + event.commandName()).toList().toString();
    }
}
