package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.List;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CreateCollectionOptions;

/**
 * Dispatches an operation to its entity: collection operations to {@link CollectionOperations}, change streams to
 * {@link ChangeStreamOperations}, {@code testRunner} operations to {@link TestRunnerOperations}; database, client and
 * session operations are here.
 */
final class Operations {

    private final Entities entities;
    private final TestRunnerOperations testRunner;

    Operations(Entities entities, TestRunnerOperations testRunner) {
        this.entities = entities;
        this.testRunner = testRunner;
    }

    /** Runs the operation; returns its result (a BSON value, an entity such as a cursor, or null). */
    @SuppressWarnings("unchecked")
    Object execute(BsonDocument operation) {
        String name = operation.getString("name").getValue();
        String object = operation.getString("object").getValue();
        Arguments args = new Arguments(name, operation.getDocument("arguments", null), entities);
        Object result;
        if (object.equals("testRunner")) {
            result = testRunner.execute(name, args, this);
        } else {
            Object entity = entities.get(object);
            if (entity instanceof MongoCollection<?> collection) {
                result = CollectionOperations.execute(name, (MongoCollection<BsonDocument>) collection,
                    entities.databaseOf(object), args);
            } else if (entity instanceof MongoDatabase database) {
                result = database(name, database, args);
            } else if (entity instanceof Entities.Client client) {
                result = client(name, client.client(), args);
            } else if (entity instanceof Entities.Session session) {
                result = session(name, session.session(), args);
            } else if (entity instanceof MongoCursor<?> cursor) {
                result = ChangeStreamOperations.iterate(name, (MongoCursor<BsonDocument>) cursor);
            } else {
                throw new RunnerException("operation '" + name + "' on entity '" + object + "' of type "
                    + entity.getClass().getSimpleName() + " is not supported by this runner");
            }
        }
        args.requireAllUsed();
        return result;
    }

    private Object database(String name, MongoDatabase database, Arguments args) {
        ClientSession session = args.session();
        return switch (name) {
            case "runCommand" -> {
                BsonDocument command = args.document("command");
                args.string("commandName");
                BsonValue readPreference = args.optional("readPreference");
                MongoDatabase target = readPreference == null ? database
                    : database.withReadPreference(DriverOptions.readPreference(readPreference.asDocument()));
                yield session == null ? target.runCommand(command, BsonDocument.class)
                    : target.runCommand(session, command, BsonDocument.class);
            }
            case "aggregate" -> {
                List<Bson> pipeline = Arguments.pipeline(args.value("pipeline"));
                yield CollectionOperations.runAggregate(session == null ? database.aggregate(pipeline, BsonDocument.class)
                    : database.aggregate(session, pipeline, BsonDocument.class), pipeline, args);
            }
            case "createCollection" -> {
                String collection = args.string("collection");
                CreateCollectionOptions options = new CreateCollectionOptions();
                BsonValue viewOn = args.optional("viewOn");
                if (viewOn != null) {
                    BsonValue pipeline = args.optional("pipeline");
                    List<Bson> stages = pipeline == null ? List.of() : Arguments.pipeline(pipeline);
                    if (session == null) {
                        database.createView(collection, viewOn.asString().getValue(), stages);
                    } else {
                        database.createView(session, collection, viewOn.asString().getValue(), stages);
                    }
                    yield null;
                }
                if (session == null) {
                    database.createCollection(collection, options);
                } else {
                    database.createCollection(session, collection, options);
                }
                yield null;
            }
            case "dropCollection" -> {
                MongoCollection<BsonDocument> collection = database.getCollection(args.string("collection"), BsonDocument.class);
                if (session == null) {
                    collection.drop();
                } else {
                    collection.drop(session);
                }
                yield null;
            }
            case "listCollections" -> new BsonArray(new ArrayList<>(session == null
                ? database.listCollections(BsonDocument.class).into(new ArrayList<>())
                : database.listCollections(session, BsonDocument.class).into(new ArrayList<>())));
            case "modifyCollection" -> {
                BsonDocument command = new BsonDocument("collMod", new org.bson.BsonString(args.string("collection")));
                for (String option : List.of("validator", "changeStreamPreAndPostImages", "index", "validationLevel",
                    "validationAction")) {
                    BsonValue value = args.optional(option);
                    if (value != null) {
                        command.append(option, value);
                    }
                }
                yield session == null ? database.runCommand(command, BsonDocument.class)
                    : database.runCommand(session, command, BsonDocument.class);
            }
            case "createChangeStream" -> ChangeStreamOperations.open(session == null
                ? database.watch(Arguments.pipeline(args.value("pipeline")), BsonDocument.class)
                : database.watch(session, Arguments.pipeline(args.value("pipeline")), BsonDocument.class), args);
            default -> throw new RunnerException("database operation '" + name + "' is not supported by this runner");
        };
    }

    private Object client(String name, MongoClient client, Arguments args) {
        ClientSession session = args.session();
        return switch (name) {
            case "createChangeStream" -> ChangeStreamOperations.open(session == null
                ? client.watch(Arguments.pipeline(args.value("pipeline")), BsonDocument.class)
                : client.watch(session, Arguments.pipeline(args.value("pipeline")), BsonDocument.class), args);
            case "listDatabases" -> new BsonArray(new ArrayList<>(client.listDatabases(BsonDocument.class).into(new ArrayList<>())));
            default -> throw new RunnerException("client operation '" + name + "' is not supported by this runner");
        };
    }

    private Object session(String name, ClientSession session, Arguments args) {
        switch (name) {
            case "startTransaction" -> {
                testRunner.transactionStarted();
                BsonDocument options = new BsonDocument();
                for (String option : List.of("readConcern", "writeConcern", "readPreference", "maxCommitTimeMS")) {
                    BsonValue value = args.optional(option);
                    if (value != null) {
                        options.append(option, value);
                    }
                }
                if (options.isEmpty()) {
                    session.startTransaction();
                } else {
                    session.startTransaction(DriverOptions.transactionOptions(options));
                }
            }
            case "commitTransaction" -> session.commitTransaction();
            case "abortTransaction" -> session.abortTransaction();
            case "endSession" -> session.close();
            default -> throw new RunnerException("session operation '" + name + "' is not supported by this runner");
        }
        return null;
    }
}
