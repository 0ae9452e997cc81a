package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;

/**
 * One multi-document transaction: the inserts it buffered, in statement order, and the unique keys it claimed.
 * Nothing it buffers is visible to other clients until it commits.
 */
final class Transaction {

    enum State { ACTIVE, COMMITTED, ABORTED }

    /** A buffered insert. */
    record Insert(String database, String collection, Document document) {
        String namespace() {
            return database + "." + collection;
        }
    }

    final long txnNumber;
    final Document lsid;
    final long startedNanos = System.nanoTime();
    final List<Insert> inserts = new ArrayList<>();
    final Set<PendingKey> claimedKeys = new HashSet<>();
    State state = State.ACTIVE;
    String abortReason;

    Transaction(long txnNumber, Document lsid) {
        this.txnNumber = txnNumber;
        this.lsid = lsid;
    }

    List<Document> bufferedIn(String database, String collection) {
        List<Document> documents = new ArrayList<>();
        for (Insert insert : inserts) {
            if (insert.database().equals(database) && insert.collection().equals(collection)) {
                documents.add(insert.document());
            }
        }
        return documents;
    }

    boolean isActive() {
        return state == State.ACTIVE;
    }
}
