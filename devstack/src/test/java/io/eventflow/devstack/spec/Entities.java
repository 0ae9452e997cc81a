package io.eventflow.devstack.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.ClientSessionOptions;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;

/**
 * The entity map of one test: clients (each with its command event log), databases, collections, sessions, change
 * streams and saved results, by id. {@link #close()} ends sessions, closes cursors and clients.
 */
final class Entities implements AutoCloseable {

    /** A client entity and the events it observes. */
    record Client(MongoClient client, CommandEventLog events) {
    }

    /** A session entity; its lsid is kept because a session that has ended cannot report it any more. */
    record Session(ClientSession session, BsonDocument lsid, String clientId) {
    }

    private final String connectionString;
    private final Map<String, Object> entities = new LinkedHashMap<>();
    private final Map<String, MongoDatabase> databasesOfCollections = new LinkedHashMap<>();

    Entities(String connectionString) {
        this.connectionString = connectionString;
    }

    /** Creates the entities of a {@code createEntities} array. */
    void createAll(List<BsonValue> definitions) {
        for (BsonValue value : definitions) {
            BsonDocument wrapper = value.asDocument();
            String type = wrapper.getFirstKey();
            BsonDocument spec = wrapper.getDocument(type);
            String id = spec.getString("id").getValue();
            if (entities.containsKey(id)) {
                throw new RunnerException("entity '" + id + "' is defined twice");
            }
            entities.put(id, switch (type) {
                case "client" -> client(spec);
                case "database" -> database(spec);
                case "collection" -> {
                    databasesOfCollections.put(id, database(spec.getString("database").getValue()));
                    yield collection(spec);
                }
                case "session" -> session(spec);
                default -> throw new RunnerException("entity type '" + type + "' is not supported by this runner");
            });
        }
    }

    private Client client(BsonDocument spec) {
        StringBuilder uri = new StringBuilder(connectionString);
        for (String key : spec.keySet()) {
            switch (key) {
                case "id", "useMultipleMongoses", "observeEvents", "ignoreCommandMonitoringEvents", "uriOptions",
                     "observeSensitiveCommands" -> { }
                default -> throw new RunnerException("client option '" + key + "' is not supported by this runner");
            }
        }
        if (spec.containsKey("uriOptions")) {
            for (Map.Entry<String, BsonValue> option : spec.getDocument("uriOptions").entrySet()) {
                BsonValue value = option.getValue();
                String text = value.isString() ? value.asString().getValue()
                    : value.isBoolean() ? String.valueOf(value.asBoolean().getValue())
                    : value.isNumber() ? String.valueOf(value.asNumber().longValue())
                    : value.toString();
                uri.append(uri.indexOf("?") < 0 ? "/?" : "&").append(option.getKey()).append('=').append(text);
            }
        }
        Set<String> observed = new HashSet<>();
        if (spec.containsKey("observeEvents")) {
            spec.getArray("observeEvents").forEach(event -> observed.add(event.asString().getValue()));
        }
        Set<String> ignored = new HashSet<>();
        if (spec.containsKey("ignoreCommandMonitoringEvents")) {
            spec.getArray("ignoreCommandMonitoringEvents").forEach(command -> ignored.add(command.asString().getValue()));
        }
        CommandEventLog log = new CommandEventLog(observed, ignored);
        MongoClientSettings settings = MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(uri.toString()))
            .addCommandListener(log)
            .build();
        return new Client(MongoClients.create(settings), log);
    }

    private MongoDatabase database(BsonDocument spec) {
        MongoDatabase database = client(spec.getString("client").getValue()).client()
            .getDatabase(spec.getString("databaseName").getValue());
        if (spec.containsKey("databaseOptions")) {
            BsonDocument options = spec.getDocument("databaseOptions");
            if (options.containsKey("readConcern")) {
                database = database.withReadConcern(DriverOptions.readConcern(options.getDocument("readConcern")));
            }
            if (options.containsKey("writeConcern")) {
                database = database.withWriteConcern(DriverOptions.writeConcern(options.getDocument("writeConcern")));
            }
            if (options.containsKey("readPreference")) {
                database = database.withReadPreference(DriverOptions.readPreference(options.getDocument("readPreference")));
            }
        }
        return database;
    }

    private MongoCollection<BsonDocument> collection(BsonDocument spec) {
        MongoCollection<BsonDocument> collection = database(spec.getString("database").getValue())
            .getCollection(spec.getString("collectionName").getValue(), BsonDocument.class);
        if (spec.containsKey("collectionOptions")) {
            BsonDocument options = spec.getDocument("collectionOptions");
            for (String key : options.keySet()) {
                switch (key) {
                    case "readConcern" -> collection = collection.withReadConcern(DriverOptions.readConcern(options.getDocument(key)));
                    case "writeConcern" -> collection = collection.withWriteConcern(DriverOptions.writeConcern(options.getDocument(key)));
                    case "readPreference" -> collection = collection.withReadPreference(
                        DriverOptions.readPreference(options.getDocument(key)));
                    default -> throw new RunnerException("collection option '" + key + "' is not supported by this runner");
                }
            }
        }
        return collection;
    }

    private Session session(BsonDocument spec) {
        String clientId = spec.getString("client").getValue();
        ClientSessionOptions.Builder options = ClientSessionOptions.builder();
        if (spec.containsKey("sessionOptions")) {
            BsonDocument sessionOptions = spec.getDocument("sessionOptions");
            for (String key : sessionOptions.keySet()) {
                switch (key) {
                    case "causalConsistency" -> options.causallyConsistent(sessionOptions.getBoolean(key).getValue());
                    case "snapshot" -> options.snapshot(sessionOptions.getBoolean(key).getValue());
                    case "defaultTransactionOptions" -> options.defaultTransactionOptions(
                        DriverOptions.transactionOptions(sessionOptions.getDocument(key)));
                    default -> throw new RunnerException("session option '" + key + "' is not supported by this runner");
                }
            }
        }
        ClientSession session = client(clientId).client().startSession(options.build());
        return new Session(session, session.getServerSession().getIdentifier().clone(), clientId);
    }

    void put(String id, Object entity) {
        if (entities.containsKey(id)) {
            throw new RunnerException("entity '" + id + "' is defined twice");
        }
        entities.put(id, entity);
    }

    Object get(String id) {
        Object entity = entities.get(id);
        if (entity == null) {
            throw new RunnerException("no entity '" + id + "' in the entity map " + entities.keySet());
        }
        return entity;
    }

    <T> T get(String id, Class<T> type) {
        Object entity = get(id);
        if (!type.isInstance(entity)) {
            throw new RunnerException("entity '" + id + "' is a " + entity.getClass().getSimpleName()
                + ", not a " + type.getSimpleName());
        }
        return type.cast(entity);
    }

    Client client(String id) {
        return get(id, Client.class);
    }

    MongoDatabase database(String id) {
        return get(id, MongoDatabase.class);
    }

    /** The database entity a collection entity was created from. */
    MongoDatabase databaseOf(String collectionId) {
        MongoDatabase database = databasesOfCollections.get(collectionId);
        if (database == null) {
            throw new RunnerException("entity '" + collectionId + "' is not a collection entity");
        }
        return database;
    }

    Session session(String id) {
        return get(id, Session.class);
    }

    /** The value {@code $$matchesEntity} compares with, or (with the prefix {@code lsid:}) a session's lsid. */
    BsonValue valueOf(String name) {
        if (name.startsWith("lsid:")) {
            return session(name.substring("lsid:".length())).lsid();
        }
        return get(name, BsonValue.class);
    }

    List<CommandEventLog> eventLogs() {
        List<CommandEventLog> logs = new ArrayList<>();
        for (Object entity : entities.values()) {
            if (entity instanceof Client client) {
                logs.add(client.events());
            }
        }
        return logs;
    }

    @Override
    public void close() {
        List<Object> all = new ArrayList<>(entities.values());
        entities.clear();
        for (Object entity : all) {
            try {
                if (entity instanceof Session session) {
                    session.session().close();
                } else if (entity instanceof MongoCursor<?> cursor) {
                    cursor.close();
                }
            } catch (RuntimeException ignored) {
                // closing after a failed test: the server may have gone already
            }
        }
        for (Object entity : all) {
            if (entity instanceof Client client) {
                client.events().stop();
                client.client().close();
            }
        }
    }
}
