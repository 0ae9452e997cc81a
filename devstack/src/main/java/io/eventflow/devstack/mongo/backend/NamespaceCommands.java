package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.netty.channel.Channel;

/**
 * Commands that change namespaces rather than documents, recorded in the oplog so that change streams report them:
 * {@code create}, {@code collMod} (with {@code changeStreamPreAndPostImages}), {@code createIndexes},
 * {@code dropIndexes}, {@code renameCollection} and {@code dropDatabase}. Create, index and modify events are
 * expanded events, which only streams with {@code showExpandedEvents} see.
 */
final class NamespaceCommands {

    private static final String IMAGES_OPTION = "changeStreamPreAndPostImages";
    /** collMod options that are accepted and have no effect here. */
    private static final Set<String> ACCEPTED_COLLMOD_OPTIONS = Set.of("validator", "validationLevel",
        "validationAction", "index", "expireAfterSeconds", "comment", "writeConcern", "lsid", "txnNumber",
        "$clusterTime", "$db", "$readPreference", "apiVersion", "apiStrict", "apiDeprecationErrors");

    private final ReplicationLog replicationLog;
    private final Function<String, CompatDatabase> databases;
    private final LibraryCommands library;
    private final Supplier<? extends java.util.Collection<String>> databaseNames;
    private final Views views;

    NamespaceCommands(ReplicationLog replicationLog, Function<String, CompatDatabase> databases, LibraryCommands library,
                      Supplier<? extends java.util.Collection<String>> databaseNames, Views views) {
        this.replicationLog = replicationLog;
        this.databases = databases;
        this.library = library;
        this.databaseNames = databaseNames;
        this.views = views;
    }

    Document create(Channel channel, String database, Document query) {
        if (query.containsKey("viewOn")) {
            return createView(database, query);
        }
        Document forLibrary = query.clone();
        Object images = forLibrary.remove(IMAGES_OPTION);
        Document reply = library.run(channel, database, "create", forLibrary);
        String collection = String.valueOf(query.get("create"));
        if (images instanceof Document options) {
            databases.apply(database).collectionForWrite(collection).keepImages(Utils.isTrue(options.get("enabled")));
        }
        Document description = new Document("idIndex", new Document("v", 2).append("key", new Document("_id", 1))
            .append("name", "_id_"));
        replicationLog.append(OplogEntry.pending(OperationKind.CREATE, database, collection, null, description, null,
            null));
        return reply;
    }

    private Document createView(String database, Document query) {
        String name = String.valueOf(query.get("create"));
        if (databaseNames.get().contains(database) && databases.apply(database).existingCollection(name) != null) {
            throw new MongoServerError(48, "NamespaceExists", "Namespace already exists: " + database + "." + name);
        }
        views.create(database, query);
        Document description = new Document("viewOn", query.get("viewOn"))
            .append("pipeline", query.getOrDefault("pipeline", List.of()));
        replicationLog.append(OplogEntry.pending(OperationKind.CREATE, database, name, null, description, null, null));
        Document reply = new Document();
        Utils.markOkay(reply);
        return reply;
    }

    /** {@code drop}: a view is forgotten, a collection dropped by the library (which records it in the oplog). */
    Document drop(Channel channel, String database, Document query) {
        if (views.drop(database, query.get("drop"))) {
            Document reply = new Document("ns", database + "." + query.get("drop"));
            Utils.markOkay(reply);
            return reply;
        }
        return library.run(channel, database, "drop", query);
    }

    /** {@code collMod}: turns pre- and post-images on or off; validators and index options are accepted. */
    Document collMod(String database, Document query) {
        String collectionName = String.valueOf(query.get("collMod"));
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        if (collection == null) {
            throw new MongoServerError(26, "NamespaceNotFound", "ns does not exist: " + database + "." + collectionName);
        }
        Document description = new Document();
        for (String option : query.keySet()) {
            if (option.equals("collMod")) {
                continue;
            }
            if (option.equals(IMAGES_OPTION) && query.get(option) instanceof Document images) {
                collection.keepImages(Utils.isTrue(images.get("enabled")));
            } else if (!ACCEPTED_COLLMOD_OPTIONS.contains(option)) {
                throw MongoErrors.invalidOptions("collMod: option '" + option + "' is not supported by the eventflow "
                    + "MongoDB emulator");
            }
            if (!option.startsWith("$") && !option.equals("lsid") && !option.equals("txnNumber")
                && !option.equals("writeConcern")) {
                description.append(option, query.get(option));
            }
        }
        replicationLog.append(OplogEntry.pending(OperationKind.MODIFY, database, collectionName, null, description,
            null, null));
        Document reply = new Document();
        Utils.markOkay(reply);
        return reply;
    }

    Document createIndexes(Channel channel, String database, Document query) {
        Document reply = library.run(channel, database, "createIndexes", query);
        if (query.get("indexes") instanceof List<?> indexes && !indexes.isEmpty()) {
            replicationLog.append(OplogEntry.pending(OperationKind.CREATE_INDEXES, database,
                String.valueOf(query.get("createIndexes")), null, new Document("indexes", new ArrayList<>(indexes)),
                null, null));
        }
        return reply;
    }

    Document dropIndexes(Channel channel, String database, Document query) {
        Document reply = library.run(channel, database, "dropIndexes", query);
        Object index = query.get("index");
        List<Object> dropped = index instanceof List<?> names ? new ArrayList<>(names) : List.of(index);
        List<Document> described = dropped.stream()
            .map(name -> name instanceof Document keys ? new Document("key", keys) : new Document("name", name))
            .toList();
        replicationLog.append(OplogEntry.pending(OperationKind.DROP_INDEXES, database,
            String.valueOf(query.get("dropIndexes")), null, new Document("indexes", described), null, null));
        return reply;
    }

    Document dropDatabase(Channel channel, String database, Document query) {
        boolean existed = databaseNames.get().contains(database);
        views.dropDatabase(database);
        Document reply = library.run(channel, database, "dropDatabase", query);
        if (existed) {
            replicationLog.append(OplogEntry.pending(OperationKind.DROP_DATABASE, database, null, null, null, null,
                null));
        }
        return reply;
    }

    Document renameCollection(Channel channel, String database, Document query) {
        String from = String.valueOf(query.get("renameCollection"));
        String to = String.valueOf(query.get("to"));
        String toDatabase = Utils.getDatabaseNameFromFullName(to);
        String toCollection = Utils.getCollectionNameFromFullName(to);
        CompatCollection target = databaseNames.get().contains(toDatabase)
            ? databases.apply(toDatabase).existingCollection(toCollection) : null;
        Document reply = library.run(channel, database, "renameCollection", query);
        if (!from.equals(to)) {
            Document renamedTo = new Document("db", toDatabase).append("coll", toCollection);
            Document description = new Document("to", renamedTo);
            if (target != null && Utils.isTrue(query.get("dropTarget"))) {
                description.append("dropTarget", target.getUuid());
            }
            replicationLog.append(OplogEntry.pending(OperationKind.RENAME, Utils.getDatabaseNameFromFullName(from),
                Utils.getCollectionNameFromFullName(from), null, description, null, renamedTo));
        }
        return reply;
    }
}
