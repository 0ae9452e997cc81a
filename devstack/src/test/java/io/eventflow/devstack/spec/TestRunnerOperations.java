package io.eventflow.devstack.spec;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bson.BsonDocument;
import org.bson.BsonString;

import com.mongodb.ReadPreference;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;

/**
 * The format's special operations on {@code testRunner}: fail points (remembered so that they are turned off after
 * the test), session state assertions, collection and index assertions, and {@code createEntities}.
 */
final class TestRunnerOperations {

    private final Entities entities;
    private final MongoClient internalClient;
    private final List<String> failPoints = new ArrayList<>();
    private boolean transactionStarted;

    TestRunnerOperations(Entities entities, MongoClient internalClient) {
        this.entities = entities;
        this.internalClient = internalClient;
    }

    void transactionStarted() {
        transactionStarted = true;
    }

    boolean startedTransaction() {
        return transactionStarted;
    }

    Object execute(String name, Arguments args, Operations operations) {
        switch (name) {
            case "failPoint" -> {
                MongoClient client = entities.client(args.string("client")).client();
                configure(client, args.document("failPoint"));
            }
            case "targetedFailPoint" -> {
                // a replica set has no mongos to pin to: the fail point goes to the primary the session uses
                Entities.Session session = entities.session(args.string("session"));
                configure(entities.client(session.clientId()).client(), args.document("failPoint"));
            }
            case "assertSessionTransactionState" -> {
                String expected = args.string("state");
                String actual = transactionState(entities.session(args.string("session")).session());
                if (!expected.equals(actual)) {
                    throw new AssertionError("session " + args.string("session") + ": expected transaction state '"
                        + expected + "', actual '" + actual + "'");
                }
            }
            case "assertSessionPinned", "assertSessionUnpinned" -> {
                ClientSession session = entities.session(args.string("session")).session();
                boolean pinned = session.getPinnedServerAddress() != null;
                if (pinned != name.equals("assertSessionPinned")) {
                    throw new AssertionError("session " + args.string("session") + ": expected it to be "
                        + (pinned ? "unpinned" : "pinned") + ", it is " + (pinned ? "pinned" : "not pinned"));
                }
            }
            case "assertCollectionExists", "assertCollectionNotExists" -> {
                String database = args.string("databaseName");
                String collection = args.string("collectionName");
                boolean exists = internalClient.getDatabase(database).listCollectionNames().into(new ArrayList<>())
                    .contains(collection);
                if (exists != name.equals("assertCollectionExists")) {
                    throw new AssertionError("collection " + database + "." + collection + (exists ? " exists" : " does not exist"));
                }
            }
            case "assertIndexExists", "assertIndexNotExists" -> {
                String database = args.string("databaseName");
                String collection = args.string("collectionName");
                String index = args.string("indexName");
                boolean exists = internalClient.getDatabase(database).getCollection(collection)
                    .listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                    .anyMatch(definition -> index.equals(definition.getString("name").getValue()));
                if (exists != name.equals("assertIndexExists")) {
                    throw new AssertionError("index " + index + " on " + database + "." + collection
                        + (exists ? " exists" : " does not exist"));
                }
            }
            case "createEntities" -> entities.createAll(args.array("entities").getValues());
            default -> throw new RunnerException("testRunner operation '" + name + "' is not supported by this runner");
        }
        return null;
    }

    private void configure(MongoClient client, BsonDocument failPoint) {
        client.getDatabase("admin").withReadPreference(ReadPreference.primary()).runCommand(failPoint);
        failPoints.add(failPoint.getString("configureFailPoint").getValue());
    }

    /** Turns off every fail point the test set. */
    void disableFailPoints() {
        for (String failPoint : failPoints) {
            internalClient.getDatabase("admin").runCommand(new BsonDocument("configureFailPoint", new BsonString(failPoint))
                .append("mode", new BsonString("off")));
        }
        failPoints.clear();
    }

    /** none, starting, in_progress, committed or aborted: the driver keeps it private, so it is read reflectively. */
    private static String transactionState(ClientSession session) {
        try {
            Field stateField = session.getClass().getDeclaredField("transactionState");
            stateField.setAccessible(true);
            Field sentField = session.getClass().getDeclaredField("messageSentInCurrentTransaction");
            sentField.setAccessible(true);
            String state = String.valueOf(stateField.get(session)).toLowerCase(Locale.ROOT);
            return switch (state) {
                case "in" -> sentField.getBoolean(session) ? "in_progress" : "starting";
                default -> state;
            };
        } catch (ReflectiveOperationException e) {
            throw new RunnerException("cannot read the transaction state of " + session.getClass().getName()
                + " (driver internals changed?): " + e, e);
        }
    }
}
