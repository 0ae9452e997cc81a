package io.eventflow.devstack.mongo.txn;

import java.util.HashSet;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;

/**
 * One multi-document transaction: its {@link Workspace} of uncommitted writes and the keys it claimed (unique-index
 * keys of the documents it inserts, and the {@code _id} of every document it writes), which another open transaction
 * cannot take. Nothing it writes is visible to other clients until it commits.
 */
final class Transaction {

    enum State { ACTIVE, COMMITTED, ABORTED }

    final long txnNumber;
    final Document lsid;
    /** The {@link SnapshotHistory} number of the state the transaction reads. */
    final long snapshot;
    final long startedNanos = System.nanoTime();
    final Workspace workspace = new Workspace();
    final Set<PendingKey> claimedKeys = new HashSet<>();
    State state = State.ACTIVE;
    String abortReason;

    Transaction(long txnNumber, Document lsid, long snapshot) {
        this.txnNumber = txnNumber;
        this.lsid = lsid;
        this.snapshot = snapshot;
    }

    boolean isActive() {
        return state == State.ACTIVE;
    }
}
