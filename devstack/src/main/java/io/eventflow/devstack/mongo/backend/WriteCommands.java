package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.oplog.UpdateDescriptions;
import io.eventflow.devstack.mongo.txn.TransactionManager;
import io.eventflow.devstack.mongo.update.PipelineUpdate;
import io.eventflow.devstack.mongo.update.ScratchUpdates;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.MongoServerError;
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
    private final ScratchUpdates scratch;

    WriteCommands(ReplicationLog replicationLog, Function<String, CompatDatabase> databases, DatabaseResolver resolver,
                  LibraryCommands library, RetryableWriteFaults faults) {
        this.replicationLog = replicationLog;
        this.databases = databases;
        this.resolver = resolver;
        this.library = library;
        this.faults = faults;
        this.scratch = new ScratchUpdates(resolver);
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
                } else if (needsHandWrittenUpdate(statement)) {
                    result = updateByHand(database, collectionName, collection, statement);
                } else {
                    result = singleLibraryUpdate(channel, database, command, query, statement);
                }
                if (result.containsKey("upserted")) {
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

    /**
     * Statements mongo-java-server gets wrong: a replacement with dotted or {@code $}-prefixed field names (stored by
     * MongoDB 5.0+), and an upsert whose new document has {@code _id: null} (the library gives it an ObjectId).
     */
    private static boolean needsHandWrittenUpdate(Document statement) {
        Object update = statement.get("u");
        if (update instanceof Document replacement && UpdateDescriptions.isReplacement(replacement)
            && CompatCollection.hasDottedOrDollarNames(replacement)) {
            return true;
        }
        return Utils.isTrue(statement.get("upsert")) && (isNullId(statement.get("q"))
            || update instanceof Document replacement && UpdateDescriptions.isReplacement(replacement)
            && replacement.containsKey("_id") && replacement.get("_id") == null);
    }

    private static boolean isNullId(Object filter) {
        return filter instanceof Document document && document.containsKey("_id") && (document.get("_id") == null
            || document.get("_id") instanceof Document condition && condition.size() == 1
            && condition.containsKey("$eq") && condition.get("$eq") == null);
    }

    /** One update statement written here, under the collection's lock: {@code {n, nModified, upserted?}}. */
    private Document updateByHand(String database, String collectionName, CompatCollection collection,
                                  Document statement) {
        Document filter = (Document) statement.getOrDefault("q", new Document());
        Object update = statement.get("u");
        synchronized (collection) {
            int limit = Utils.isTrue(statement.get("multi")) ? 0 : 1;
            List<Document> matches = new ArrayList<>();
            collection.handleQuery(new QueryParameters(new Document("$query", filter), 0, limit)).forEach(matches::add);
            if (matches.isEmpty()) {
                if (!Utils.isTrue(statement.get("upsert"))) {
                    return new Document("n", 0).append("nModified", 0);
                }
                Document inserted = upsertedDocument(filter, update, statement.get("arrayFilters"));
                collection.addDocument(inserted);
                replicationLog.append(OplogEntry.pending(OperationKind.INSERT, database, collectionName,
                    inserted.get("_id"), inserted.cloneDeeply(), null, null));
                return new Document("n", 0).append("nModified", 0).append("upserted", inserted.get("_id"));
            }
            int modified = 0;
            for (Document stored : matches) {
                Document before = stored.cloneDeeply();
                Document after = newVersion(before, update, statement.get("arrayFilters"));
                if (after.equals(before)) {
                    continue;
                }
                collection.replaceWhole(stored, after);
                replicationLog.append(changeEntry(database, collectionName, before, after, update));
                modified++;
            }
            return new Document("n", matches.size()).append("nModified", modified);
        }
    }

    /** The document an update statement or findAndModify makes of a stored one. */
    private Document newVersion(Document before, Object update, Object arrayFilters) {
        if (update instanceof Document replacement && UpdateDescriptions.isReplacement(replacement)) {
            if (replacement.containsKey("_id") && !Objects.equals(replacement.get("_id"), before.get("_id"))) {
                throw MongoErrors.immutableId();
            }
            Document after = new Document("_id", before.get("_id"));
            replacement.forEach((key, value) -> {
                if (!key.equals("_id")) {
                    after.put(key, value);
                }
            });
            return after;
        }
        return scratch.apply(before, update, arrayFilters);
    }

    /** The document an upsert that matched nothing inserts, with the {@code _id} the filter or replacement names. */
    private Document upsertedDocument(Document filter, Object update, Object arrayFilters) {
        Document inserted;
        if (update instanceof Document replacement && UpdateDescriptions.isReplacement(replacement)) {
            inserted = replacement.cloneDeeply();
            if (!inserted.containsKey("_id")) {
                Object id = filter.containsKey("_id") && !(filter.get("_id") instanceof Document) ? filter.get("_id")
                    : new ObjectId();
                Document withId = new Document("_id", id);
                withId.putAll(inserted);
                inserted = withId;
            }
        } else {
            inserted = scratch.upsert(filter, update, arrayFilters);
        }
        if (isNullId(filter)) {
            inserted.put("_id", null);
        }
        return inserted;
    }

    private static OplogEntry changeEntry(String database, String collectionName, Document before, Document after,
                                          Object update) {
        Object id = before.get("_id");
        if (update instanceof Document operators && !UpdateDescriptions.isReplacement(operators)) {
            return OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                UpdateDescriptions.fromOperators(operators, after), null);
        }
        if (update instanceof List<?>) {
            return OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                UpdateDescriptions.fromDiff(before, after), null);
        }
        return OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id, after.cloneDeeply(), null, null);
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
        Object update = query.get("update");
        if (update instanceof List<?> || update instanceof Document replacement
            && UpdateDescriptions.isReplacement(replacement) && CompatCollection.hasDottedOrDollarNames(replacement)) {
            return findAndModifyByHand(database, collectionName, collection, query);
        }
        synchronized (collection) {
            Document reply;
            try {
                reply = library.run(channel, database, command, query);
            } catch (MongoServerError e) {
                throw withDuplicateKeyDetails(e, collection, query);
            }
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
                Document operators = (Document) query.getOrDefault("update", new Document());
                replicationLog.append(UpdateDescriptions.isReplacement(operators)
                    ? OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id, current.cloneDeeply(), null, null)
                    : OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                        UpdateDescriptions.fromOperators(operators, current), null));
            }
            return reply;
        }
    }

    /** A duplicate key error of findAndModify, with the keyPattern and keyValue of the version it tried to store. */
    private MongoServerError withDuplicateKeyDetails(MongoServerError error, CompatCollection collection, Document query) {
        if (error.getCode() != MongoErrors.DUPLICATE_KEY) {
            return error;
        }
        try {
            Document selector = new Document("$query", query.getOrDefault("query", new Document()));
            if (query.get("sort") instanceof Document sort && !sort.isEmpty()) {
                selector.append("$orderby", sort);
            }
            Document attempted = null;
            for (Document found : collection.handleQuery(new QueryParameters(selector, 0, 1))) {
                attempted = scratch.apply(found, query.get("update"), query.get("arrayFilters"));
            }
            if (attempted == null && Utils.isTrue(query.get("upsert"))) {
                attempted = upsertedDocument((Document) query.getOrDefault("query", new Document()), query.get("update"),
                    query.get("arrayFilters"));
            }
            Document details = DuplicateKeys.keyDetails(error, collection, attempted);
            return details == null ? error : new DetailedServerError(error, details);
        } catch (RuntimeException e) {
            // the details are a courtesy: without them the client still gets the duplicate key error itself
            return error;
        }
    }

    /** findAndModify with a pipeline update or a replacement the library cannot store, written here. */
    private Document findAndModifyByHand(String database, String collectionName, CompatCollection collection,
                                         Document query) {
        Document filter = (Document) query.getOrDefault("query", new Document());
        Object update = query.get("update");
        boolean returnNew = Utils.isTrue(query.get("new"));
        synchronized (collection) {
            Document selector = new Document("$query", filter);
            if (query.get("sort") instanceof Document sort && !sort.isEmpty()) {
                selector.append("$orderby", sort);
            }
            Document found = null;
            for (Document document : collection.handleQuery(new QueryParameters(selector, 0, 1))) {
                found = document;
            }
            Document lastErrorObject;
            Document value;
            if (found != null) {
                Document before = found.cloneDeeply();
                Document after = newVersion(before, update, query.get("arrayFilters"));
                if (!after.equals(before)) {
                    collection.replaceWhole(found, after);
                    replicationLog.append(changeEntry(database, collectionName, before, after, update));
                }
                lastErrorObject = new Document("n", 1).append("updatedExisting", true);
                value = returnNew ? after : before;
            } else if (Utils.isTrue(query.get("upsert"))) {
                Document inserted = upsertedDocument(filter, update, query.get("arrayFilters"));
                collection.addDocument(inserted);
                replicationLog.append(OplogEntry.pending(OperationKind.INSERT, database, collectionName,
                    inserted.get("_id"), inserted.cloneDeeply(), null, null));
                lastErrorObject = new Document("n", 1).append("updatedExisting", false)
                    .append("upserted", inserted.get("_id"));
                value = returnNew ? inserted : null;
            } else {
                lastErrorObject = new Document("n", 0).append("updatedExisting", false);
                value = null;
            }
            if (value != null && query.get("fields") instanceof Document fields && !fields.isEmpty()) {
                value = Aggregation.fromPipeline(List.of(new Document("$project", fields)), resolver, null, null,
                    replicationLog).runStages(Stream.of(value)).get(0);
            }
            Document reply = new Document("lastErrorObject", lastErrorObject).append("value", value);
            Utils.markOkay(reply);
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
