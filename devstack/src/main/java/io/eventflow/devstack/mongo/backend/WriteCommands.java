package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.oplog.UpdateDescriptions;
import io.eventflow.devstack.mongo.txn.TransactionManager;
import io.eventflow.devstack.mongo.update.PipelineUpdate;
import io.netty.channel.Channel;

/**
 * The write commands outside transactions ({@code insert}, {@code update}, {@code delete}, {@code findAndModify}),
 * statement by statement: each statement that fails becomes a write error of its own (an ordered command stops at
 * it), every change is recorded in the oplog under the collection's lock, and each statement of a retryable write
 * passes the {@code onPrimaryTransactionalWrite} fail point.
 */
final class WriteCommands {

    private final ReplicationLog replicationLog;
    private final Function<String, CompatDatabase> databases;
    private final DatabaseResolver resolver;
    private final LibraryCommands library;
    private final RetryableWriteFaults faults;

    WriteCommands(ReplicationLog replicationLog, Function<String, CompatDatabase> databases, DatabaseResolver resolver,
                  LibraryCommands library, RetryableWriteFaults faults) {
        this.replicationLog = replicationLog;
        this.databases = databases;
        this.resolver = resolver;
        this.library = library;
        this.faults = faults;
    }

    @SuppressWarnings("unchecked")
    Document insert(String database, Document query) {
        String collectionName = String.valueOf(query.get("insert"));
        if (collectionName.startsWith("system.")) {
            throw new MongoServerError(16459, "attempt to insert in system namespace");
        }
        List<Document> documents = (List<Document>) query.get("documents");
        boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
        boolean retryable = TransactionManager.isRetryableWrite(query);
        CompatCollection collection = databases.apply(database).collectionForWrite(collectionName);
        List<Document> writeErrors = new ArrayList<>();
        int inserted = 0;
        for (int i = 0; i < documents.size(); i++) {
            Document document = withIdFirst(documents.get(i));
            try {
                if (retryable) {
                    faults.beforeStatement();
                }
                int size = BsonSize.of(document);
                if (size > BsonSize.MAX_DOCUMENT_BYTES) {
                    throw new MongoServerError(10334, "BSONObjectTooLarge", "object to insert too large. size in bytes: "
                        + size + ", max size: " + BsonSize.MAX_DOCUMENT_BYTES);
                }
                DocumentRules.checkStorable(document);
                synchronized (collection) {
                    collection.addDocument(document);
                    replicationLog.append(OplogEntry.inserted(database, collectionName, document.get("_id"),
                        document.cloneDeeply(), size));
                }
                inserted++;
            } catch (MongoServerError e) {
                writeErrors.add(DuplicateKeys.writeError(i, e, collection, document));
                if (ordered) {
                    break;
                }
            }
        }
        return writeReply(new Document("n", inserted), writeErrors);
    }

    private static Document withIdFirst(Document document) {
        if (document.containsKey("_id")) {
            return document;
        }
        Document withId = new Document("_id", new ObjectId());
        withId.putAll(document);
        return withId;
    }

    @SuppressWarnings("unchecked")
    Document update(Channel channel, String database, String command, Document query) {
        List<Document> statements = (List<Document>) query.get("updates");
        String collectionName = String.valueOf(query.get(command));
        if (collectionName.startsWith("system.")) {
            throw new MongoServerError(10156, "cannot update system collection");
        }
        CompatDatabase compatDatabase = databases.apply(database);
        CompatCollection collection = compatDatabase.collectionForWrite(collectionName);
        boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
        boolean retryable = TransactionManager.isRetryableWrite(query);
        int matched = 0;
        int modified = 0;
        List<Document> upserted = new ArrayList<>();
        List<Document> writeErrors = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            Document statement = statements.get(i);
            try {
                if (retryable) {
                    faults.beforeStatement();
                }
                Document result;
                if (statement.get("u") instanceof List<?> stages) {
                    result = PipelineUpdate.parse(statement, (List<Document>) stages, resolver, compatDatabase,
                        replicationLog).apply(collection, replicationLog::append);
                } else {
                    result = singleLibraryUpdate(channel, database, command, query, statement);
                }
                if (result.get("upserted") != null) {
                    upserted.add(new Document("index", i).append("_id", result.get("upserted")));
                    matched++;
                }
                matched += ((Number) result.get("n")).intValue();
                modified += ((Number) result.get("nModified")).intValue();
            } catch (MongoServerError e) {
                writeErrors.add(DuplicateKeys.writeError(i, e, collection, null));
                if (ordered) {
                    break;
                }
            }
        }
        Document reply = new Document("n", matched).append("nModified", modified);
        if (!upserted.isEmpty()) {
            reply.append("upserted", upserted);
        }
        return writeReply(reply, writeErrors);
    }

    /** Runs one ordinary update statement through mongo-java-server and returns {@code {n, nModified, upserted?}}. */
    private Document singleLibraryUpdate(Channel channel, String database, String command, Document query,
                                         Document statement) {
        Document single = query.clone();
        single.put("updates", List.of(statement));
        Document reply = library.run(channel, database, command, single);
        throwFirstWriteError(reply);
        Document result = new Document("nModified", reply.get("nModified"));
        int n = ((Number) reply.get("n")).intValue();
        if (reply.get("upserted") instanceof List<?> upserts && !upserts.isEmpty()) {
            result.put("upserted", ((Document) upserts.get(0)).get("_id"));
            n--;
        }
        result.put("n", n);
        return result;
    }

    /** Deletes statement by statement, so that a statement the library rejects is a write error of its own. */
    @SuppressWarnings("unchecked")
    Document delete(Channel channel, String database, String command, Document query) {
        List<Document> statements = (List<Document>) query.get("deletes");
        boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
        boolean retryable = TransactionManager.isRetryableWrite(query);
        int deleted = 0;
        List<Document> writeErrors = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            try {
                if (retryable) {
                    faults.beforeStatement();
                }
                Document single = query.clone();
                single.put("deletes", List.of(statements.get(i)));
                Document reply = library.run(channel, database, command, single);
                throwFirstWriteError(reply);
                deleted += ((Number) reply.get("n")).intValue();
            } catch (MongoServerError e) {
                writeErrors.add(DuplicateKeys.writeError(i, e, null, null));
                if (ordered) {
                    break;
                }
            }
        }
        return writeReply(new Document("n", deleted), writeErrors);
    }

    private static void throwFirstWriteError(Document reply) {
        if (reply.get("writeErrors") instanceof List<?> errors && !errors.isEmpty()) {
            Document error = (Document) errors.get(0);
            throw new MongoServerError(((Number) error.get("code")).intValue(), String.valueOf(error.get("codeName")),
                String.valueOf(error.get("errmsg")));
        }
    }

    /**
     * mongo-java-server's findAndModify writes without telling the oplog; this records the change event it caused,
     * under the collection's lock so that no other write can come in between.
     */
    Document findAndModify(Channel channel, String database, String command, Document query) {
        if (TransactionManager.isRetryableWrite(query)) {
            faults.beforeStatement();
        }
        String collectionName = String.valueOf(query.get(command));
        CompatCollection collection = databases.apply(database).collectionForWrite(collectionName);
        synchronized (collection) {
            Document reply = library.run(channel, database, command, query);
            Document lastError = (Document) reply.get("lastErrorObject");
            Object value = reply.get("value");
            if (Boolean.TRUE.equals(query.get("remove"))) {
                if (value instanceof Document removed) {
                    replicationLog.append(OplogEntry.pending(OperationKind.DELETE, database, collectionName,
                        removed.get("_id"), null, null, null));
                }
                return reply;
            }
            Object id = lastError != null && lastError.get("upserted") != null ? lastError.get("upserted")
                : value instanceof Document document ? document.get("_id") : null;
            Document current = id == null ? null : currentDocument(collection, id);
            if (current == null) {
                return reply;
            }
            if (lastError != null && lastError.get("upserted") != null) {
                replicationLog.append(OplogEntry.pending(OperationKind.INSERT, database, collectionName, id,
                    current.cloneDeeply(), null, null));
            } else if (lastError != null && Boolean.TRUE.equals(lastError.get("updatedExisting"))) {
                Document update = (Document) query.getOrDefault("update", new Document());
                replicationLog.append(UpdateDescriptions.isReplacement(update)
                    ? OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id, current.cloneDeeply(), null, null)
                    : OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                        UpdateDescriptions.fromOperators(update, current), null));
            }
            return reply;
        }
    }

    static Document currentDocument(CompatCollection collection, Object id) {
        for (Document document : collection.handleQuery(new Document("_id", id), 0, 1)) {
            return document;
        }
        return null;
    }

    private static Document writeReply(Document reply, List<Document> writeErrors) {
        if (!writeErrors.isEmpty()) {
            reply.put("writeErrors", writeErrors);
        }
        Utils.markOkay(reply);
        return reply;
    }
}
