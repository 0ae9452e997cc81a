package io.eventflow.devstack.mongo.txn;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;

/**
 * The keys open transactions hold: the unique-index keys of the documents they insert and the {@code _id} of every
 * document they write. A key another open transaction holds fails the statement with WriteConflict (112,
 * TransientTransactionError), as MongoDB does; a transaction inserting a key it already holds gets 11000.
 */
final class KeyClaims {

    private static final String ID_INDEX = "_id_";

    private final ConcurrentMap<PendingKey, Transaction> owners = new ConcurrentHashMap<>();

    /**
     * Claims the unique keys of a document the transaction inserts, after checking them against committed data.
     *
     * @param collection the committed collection, or null when it does not exist yet
     */
    void claimInsert(Transaction transaction, String namespace, CompatCollection collection, Document document) {
        if (collection == null) {
            claimNew(transaction, new PendingKey(namespace, ID_INDEX, new KeyValue(document.get("_id"))), namespace,
                "_id_ dup key: { _id: " + document.get("_id") + " }");
            return;
        }
        List<Index<Integer>> uniqueIndexes = collection.getIndexes().stream().filter(Index::isUnique).toList();
        for (Index<Integer> index : uniqueIndexes) {
            boolean deletedByThisTransaction = index.getName().equals(ID_INDEX)
                && transaction.workspace.overlay(namespace).containsKey(document.get("_id"))
                && transaction.workspace.overlay(namespace).get(document.get("_id")) == null;
            if (!deletedByThisTransaction) {
                index.checkAdd(document, collection);
            }
            for (KeyValue key : index.getKeyValues(document)) {
                PendingKey pending = new PendingKey(namespace, index.getName(), key);
                if (deletedByThisTransaction && transaction.claimedKeys.contains(pending)) {
                    continue;
                }
                claimNew(transaction, pending, namespace, index.getName() + " dup key: " + key);
            }
        }
    }

    /** Claims the {@code _id} of an existing document the transaction updates or deletes. */
    void claimWrite(Transaction transaction, String namespace, Object id) {
        PendingKey key = new PendingKey(namespace, ID_INDEX, new KeyValue(id));
        if (transaction.claimedKeys.contains(key)) {
            return;
        }
        takeOver(transaction, key);
    }

    private void claimNew(Transaction transaction, PendingKey key, String namespace, String duplicateDescription) {
        if (transaction.claimedKeys.contains(key)) {
            throw new DuplicateKeyError(namespace, duplicateDescription);
        }
        takeOver(transaction, key);
    }

    private void takeOver(Transaction transaction, PendingKey key) {
        Transaction owner = owners.putIfAbsent(key, transaction);
        if (owner != null && owner != transaction) {
            if (owner.isActive()) {
                throw MongoErrors.writeConflict("Caused by :: Write conflict during plan execution and yielding is "
                    + "disabled. :: Please retry your operation or multi-document transaction.");
            }
            owners.put(key, transaction);
        }
        transaction.claimedKeys.add(key);
    }

    /** Releases every key the transaction holds (when it commits or aborts). */
    void release(Transaction transaction) {
        transaction.claimedKeys.forEach(key -> owners.remove(key, transaction));
        transaction.claimedKeys.clear();
    }
}
