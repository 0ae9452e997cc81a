package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.eventflow.devstack.mongo.backend.BsonSize;
import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;
import io.eventflow.devstack.mongo.backend.DuplicateKeys;
import io.eventflow.devstack.mongo.backend.LabeledServerError;
import io.eventflow.devstack.mongo.backend.MongoErrors;
import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.oplog.UpdateDescriptions;
import io.eventflow.devstack.mongo.update.ScratchUpdates;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * {@code insert}, {@code update}, {@code delete} and {@code findAndModify} inside a transaction: each statement reads
 * the {@link TransactionView}, computes the new versions of the documents it writes and keeps them in the
 * transaction's workspace, with the oplog entries they will produce at commit. A document another open transaction
 * has written fails the statement with WriteConflict; a failed statement aborts the transaction, as on MongoDB.
 */
final class TransactionWrites {

    private final TransactionView view;
    private final Function<String, CompatDatabase> databases;
    private final KeyClaims claims;
    private final ScratchUpdates scratch;
    private final DatabaseResolver resolver;
    private final ReplicationLog oplog;

    TransactionWrites(TransactionView view, Function<String, CompatDatabase> databases, KeyClaims claims,
                      ScratchUpdates scratch, DatabaseResolver resolver, ReplicationLog oplog) {
        this.view = view;
        this.databases = databases;
        this.claims = claims;
        this.scratch = scratch;
        this.resolver = resolver;
        this.oplog = oplog;
    }

    @SuppressWarnings("unchecked")
    Document insert(Transaction transaction, String database, Document query) {
        String collectionName = String.valueOf(query.get("insert"));
        List<Document> documents = (List<Document>) query.get("documents");
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        int inserted = 0;
        for (int i = 0; i < documents.size(); i++) {
            Document document = documents.get(i);
            document.putIfAbsent("_id", new ObjectId());
            try {
                insertOne(transaction, database, collectionName, collection, document);
            } catch (MongoServerError e) {
                return failedStatement(new Document("n", inserted), i, e, collection, document);
            }
            inserted++;
        }
        return ok(new Document("n", inserted));
    }

    private void insertOne(Transaction transaction, String database, String collectionName, CompatCollection collection,
                           Document document) {
        int size = BsonSize.of(document);
        if (size > BsonSize.MAX_DOCUMENT_BYTES) {
            throw new MongoServerError(10334, "BSONObjectTooLarge", "object to insert too large. size in bytes: "
                + size + ", max size: " + BsonSize.MAX_DOCUMENT_BYTES);
        }
        String namespace = database + "." + collectionName;
        claims.claimInsert(transaction, namespace, collection, document);
        transaction.workspace.write(namespace, document.get("_id"), document.cloneDeeply());
        transaction.workspace.record(OplogEntry.pending(OperationKind.INSERT, database, collectionName,
            document.get("_id"), document.cloneDeeply(), null, null));
    }

    @SuppressWarnings("unchecked")
    Document update(Transaction transaction, String database, Document query) {
        String collectionName = String.valueOf(query.get("update"));
        List<Document> statements = (List<Document>) query.get("updates");
        int matched = 0;
        int modified = 0;
        List<Document> upserted = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            Document statement = statements.get(i);
            Document filter = (Document) statement.getOrDefault("q", new Document());
            Object update = statement.get("u");
            try {
                List<Document> matches = view.matching(transaction, database, collectionName, filter);
                if (!Utils.isTrue(statement.get("multi")) && matches.size() > 1) {
                    matches = matches.subList(0, 1);
                }
                if (matches.isEmpty() && Utils.isTrue(statement.get("upsert"))) {
                    Document inserted = upsert(transaction, database, collectionName, filter, update,
                        statement.get("arrayFilters"));
                    upserted.add(new Document("index", i).append("_id", inserted.get("_id")));
                    matched++;
                    continue;
                }
                for (Document before : matches) {
                    matched++;
                    if (write(transaction, database, collectionName, before, update, statement.get("arrayFilters")) != null) {
                        modified++;
                    }
                }
            } catch (MongoServerError e) {
                Document partial = new Document("n", matched).append("nModified", modified);
                return failedStatement(partial, i, e, null, null);
            }
        }
        Document reply = new Document("n", matched).append("nModified", modified);
        if (!upserted.isEmpty()) {
            reply.append("upserted", upserted);
        }
        return ok(reply);
    }

    @SuppressWarnings("unchecked")
    Document delete(Transaction transaction, String database, Document query) {
        String collectionName = String.valueOf(query.get("delete"));
        String namespace = database + "." + collectionName;
        List<Document> statements = (List<Document>) query.get("deletes");
        int deleted = 0;
        for (int i = 0; i < statements.size(); i++) {
            Document statement = statements.get(i);
            try {
                List<Document> matches = view.matching(transaction, database, collectionName,
                    (Document) statement.getOrDefault("q", new Document()));
                if (statement.get("limit") instanceof Number limit && limit.intValue() == 1 && matches.size() > 1) {
                    matches = matches.subList(0, 1);
                }
                for (Document document : matches) {
                    remove(transaction, database, collectionName, namespace, document);
                    deleted++;
                }
            } catch (MongoServerError e) {
                return failedStatement(new Document("n", deleted), i, e, null, null);
            }
        }
        return ok(new Document("n", deleted));
    }

    Document findAndModify(Transaction transaction, String database, Document query) {
        String collectionName = String.valueOf(query.get("findAndModify"));
        String namespace = database + "." + collectionName;
        Document filter = (Document) query.getOrDefault("query", new Document());
        List<Document> matches = new ArrayList<>(view.matching(transaction, database, collectionName, filter));
        if (query.get("sort") instanceof Document sort && !sort.isEmpty()) {
            matches.sort(new DocumentComparator(sort));
        }
        Document found = matches.isEmpty() ? null : matches.get(0);
        boolean returnNew = Utils.isTrue(query.get("new"));
        Document lastErrorObject;
        Document value;
        if (found != null && Utils.isTrue(query.get("remove"))) {
            remove(transaction, database, collectionName, namespace, found);
            lastErrorObject = new Document("n", 1);
            value = found;
        } else if (found != null) {
            Document after = write(transaction, database, collectionName, found, query.get("update"),
                query.get("arrayFilters"));
            lastErrorObject = new Document("n", 1).append("updatedExisting", true);
            value = returnNew ? (after != null ? after : found) : found;
        } else if (Utils.isTrue(query.get("upsert")) && !Utils.isTrue(query.get("remove"))) {
            Document inserted = upsert(transaction, database, collectionName, filter, query.get("update"),
                query.get("arrayFilters"));
            lastErrorObject = new Document("n", 1).append("updatedExisting", false).append("upserted", inserted.get("_id"));
            value = returnNew ? inserted : null;
        } else {
            lastErrorObject = new Document("n", 0).append("updatedExisting", false);
            value = null;
        }
        if (value != null && query.get("fields") instanceof Document fields && !fields.isEmpty()) {
            value = Aggregation.fromPipeline(List.of(new Document("$project", fields)), resolver, null, null, oplog)
                .runStages(java.util.stream.Stream.of(value)).get(0);
        }
        Document reply = new Document("lastErrorObject", lastErrorObject).append("value", value);
        Utils.markOkay(reply);
        return reply;
    }

    /**
     * Applies an update to one document the transaction sees.
     *
     * @return the new version, or null when the update changed nothing
     */
    private Document write(Transaction transaction, String database, String collectionName, Document before,
                           Object update, Object arrayFilters) {
        Document after = scratch.apply(before, update, arrayFilters);
        if (after.equals(before)) {
            return null;
        }
        String namespace = database + "." + collectionName;
        Object id = before.get("_id");
        claimForWrite(transaction, namespace, id);
        transaction.workspace.write(namespace, id, after.cloneDeeply());
        OplogEntry entry;
        if (update instanceof List<?>) {
            entry = OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                UpdateDescriptions.fromDiff(before, after), null);
        } else if (update instanceof Document operators && !UpdateDescriptions.isReplacement(operators)) {
            entry = OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                UpdateDescriptions.fromOperators(operators, after), null);
        } else {
            entry = OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id, after.cloneDeeply(), null, null);
        }
        transaction.workspace.record(entry);
        return after;
    }

    private Document upsert(Transaction transaction, String database, String collectionName, Document filter,
                            Object update, Object arrayFilters) {
        Document inserted = scratch.upsert(filter, update, arrayFilters);
        if (!inserted.containsKey("_id") || inserted.get("_id") == null && !filter.containsKey("_id")) {
            inserted.put("_id", new ObjectId());
        }
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        insertOne(transaction, database, collectionName, collection, inserted);
        return inserted;
    }

    private void remove(Transaction transaction, String database, String collectionName, String namespace,
                        Document document) {
        Object id = document.get("_id");
        claimForWrite(transaction, namespace, id);
        transaction.workspace.write(namespace, id, null);
        transaction.workspace.record(OplogEntry.pending(OperationKind.DELETE, database, collectionName, id, null, null,
            null));
    }

    /** Takes the document for the transaction: WriteConflict if another transaction holds it or changed it since. */
    private void claimForWrite(Transaction transaction, String namespace, Object id) {
        if (view.changedByOthers(transaction, namespace, id)) {
            throw MongoErrors.writeConflict("Write conflict: the document was changed after the transaction's snapshot. "
                + "Please retry your operation or multi-document transaction.");
        }
        claims.claimWrite(transaction, namespace, id);
    }

    /**
     * A statement failed: the reply reports it as a write error, and the caller aborts the transaction. A write
     * conflict is not a write error but fails the whole command, with its TransientTransactionError label.
     */
    private static Document failedStatement(Document reply, int index, MongoServerError error, CompatCollection collection,
                                            Document document) {
        if (error.getCode() == MongoErrors.WRITE_CONFLICT || error instanceof LabeledServerError) {
            throw error;
        }
        reply.append("writeErrors", List.of(DuplicateKeys.writeError(index, error, collection, document)));
        throw new StatementFailed(ok(reply), error);
    }

    private static Document ok(Document reply) {
        Utils.markOkay(reply);
        return reply;
    }

    /** Carries the reply of a command whose statement failed, so that the transaction is aborted before it is sent. */
    static final class StatementFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Document reply;

        StatementFailed(Document reply, MongoServerError cause) {
            super("statement failed in a transaction: " + cause.getMessageWithoutErrorCode(), cause);
            this.reply = reply;
        }

        Document reply() {
            return reply;
        }
    }

}
