package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.MongoCommandException;
import com.mongodb.ReadConcern;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.Sorts;

/**
 * Runs one test of a unified-format file: sets up {@code initialData}, creates the entities, runs the operations with
 * their {@code expectResult} and {@code expectError} checks, then checks {@code expectEvents} and {@code outcome}.
 * Fail points the test set are turned off and open transactions are killed afterwards.
 */
final class UnifiedTestRunner {

    /** Operations whose result is an iterable of root-level documents. */
    private static final Set<String> ITERABLE_RESULTS = Set.of("find", "aggregate", "listCollections",
        "listDatabases", "listIndexes");

    private final String connectionString;
    private final MongoClient internalClient;

    UnifiedTestRunner(String connectionString, MongoClient internalClient) {
        this.connectionString = connectionString;
        this.internalClient = internalClient;
    }

    /** Runs the test; a mismatch is an AssertionError, anything the test did not expect another exception. */
    void run(BsonDocument file, BsonDocument test) {
        killAllSessions();
        if (file.containsKey("initialData")) {
            for (BsonValue data : file.getArray("initialData")) {
                setUp(data.asDocument());
            }
        }
        Entities entities = new Entities(connectionString);
        TestRunnerOperations testRunner = new TestRunnerOperations(entities, internalClient);
        try {
            if (file.containsKey("createEntities")) {
                entities.createAll(file.getArray("createEntities").getValues());
            }
            Operations operations = new Operations(entities, testRunner);
            ValueMatcher matcher = new ValueMatcher(entities::valueOf);
            List<BsonValue> steps = test.getArray("operations").getValues();
            for (int i = 0; i < steps.size(); i++) {
                runOperation(i, steps.get(i).asDocument(), operations, entities, matcher);
            }
            entities.eventLogs().forEach(CommandEventLog::stop);
            testRunner.disableFailPoints();
            if (test.containsKey("expectEvents")) {
                for (BsonValue expectation : test.getArray("expectEvents")) {
                    EventAssertions.check(expectation.asDocument(), entities, matcher);
                }
            }
            if (test.containsKey("outcome")) {
                for (BsonValue outcome : test.getArray("outcome")) {
                    checkOutcome(outcome.asDocument());
                }
            }
        } finally {
            entities.close();
            testRunner.disableFailPoints();
        }
    }

    private static void runOperation(int index, BsonDocument operation, Operations operations, Entities entities,
                                     ValueMatcher matcher) {
        String name = operation.getString("name").getValue();
        String where = "operations[" + index + "] " + name + " on " + operation.getString("object").getValue();
        Object result;
        Throwable error = null;
        try {
            result = operations.execute(operation);
        } catch (RunnerException | AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            result = null;
            error = e;
        }
        if (operation.getBoolean("ignoreResultAndError", org.bson.BsonBoolean.FALSE).getValue()) {
            return;
        }
        if (operation.containsKey("expectError")) {
            if (error == null) {
                throw new AssertionError(where + ": expected an error, got result "
                    + (result instanceof BsonValue value ? ValueMatcher.render(value) : result));
            }
            try {
                ErrorAssertions.check(operation.getDocument("expectError"), error, matcher);
            } catch (AssertionError e) {
                throw new AssertionError(where + ": " + e.getMessage(), error);
            }
            return;
        }
        if (error != null) {
            throw new UnexpectedError(where + " failed: " + error.getClass().getSimpleName() + ": " + error.getMessage(), error);
        }
        if (operation.containsKey("expectResult")) {
            BsonValue expected = operation.get("expectResult");
            if (!(result instanceof BsonValue actual)) {
                throw new AssertionError(where + ": expected result " + ValueMatcher.render(expected) + ", got " + result);
            }
            try {
                if (ITERABLE_RESULTS.contains(name) && expected.isArray() && actual.isArray()) {
                    matcher.matchRootElements("result", expected.asArray(), actual.asArray().getValues());
                } else {
                    matcher.matchRoot("result", expected, actual);
                }
            } catch (AssertionError e) {
                throw new AssertionError(where + ": " + e.getMessage());
            }
        }
        if (operation.containsKey("saveResultAsEntity")) {
            if (result == null) {
                throw new RunnerException(where + ": returned nothing to save as entity");
            }
            entities.put(operation.getString("saveResultAsEntity").getValue(), result);
        }
    }

    private void setUp(BsonDocument data) {
        MongoDatabase database = internalClient.getDatabase(data.getString("databaseName").getValue())
            .withWriteConcern(WriteConcern.MAJORITY);
        String name = data.getString("collectionName").getValue();
        database.getCollection(name).drop();
        CreateCollectionOptions options = new CreateCollectionOptions();
        if (data.containsKey("createOptions")) {
            BsonDocument createOptions = data.getDocument("createOptions");
            BsonDocument command = new BsonDocument("create", new org.bson.BsonString(name));
            command.putAll(createOptions);
            command.append("writeConcern", new BsonDocument("w", new org.bson.BsonString("majority")));
            database.runCommand(command);
        } else {
            database.createCollection(name, options);
        }
        List<BsonDocument> documents = data.getArray("documents").stream().map(BsonValue::asDocument).toList();
        if (!documents.isEmpty()) {
            database.getCollection(name, BsonDocument.class).insertMany(documents);
        }
    }

    private void checkOutcome(BsonDocument outcome) {
        String namespace = outcome.getString("databaseName").getValue() + "." + outcome.getString("collectionName").getValue();
        MongoCollection<BsonDocument> collection = internalClient.getDatabase(outcome.getString("databaseName").getValue())
            .getCollection(outcome.getString("collectionName").getValue(), BsonDocument.class)
            .withReadConcern(ReadConcern.LOCAL);
        List<BsonDocument> actual = collection.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
        BsonArray expected = outcome.getArray("documents");
        if (!new BsonArray(new ArrayList<>(actual)).equals(expected)) {
            throw new AssertionError("outcome of " + namespace + ": expected " + expected.size() + " documents "
                + ValueMatcher.render(expected) + ", actual " + actual.size() + " " + ValueMatcher.render(new BsonArray(
                new ArrayList<>(actual))));
        }
    }

    /** Ends every open transaction on the server, as the format asks before each test. */
    void killAllSessions() {
        try {
            internalClient.getDatabase("admin").runCommand(new BsonDocument("killAllSessions", new BsonArray()));
        } catch (MongoCommandException e) {
            if (e.getErrorCode() != 11601 && e.getErrorCode() != 13) {
                throw e;
            }
        }
    }

    /** An operation failed where the test expected it to succeed. */
    static final class UnexpectedError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnexpectedError(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
