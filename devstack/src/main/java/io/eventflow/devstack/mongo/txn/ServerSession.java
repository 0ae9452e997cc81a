package io.eventflow.devstack.mongo.txn;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Server-side state of one logical session: its latest transaction and the reply to its latest retryable write,
 * which a retry of the same {@code txnNumber} receives again instead of writing twice.
 */
final class ServerSession {

    final Document lsid;
    long highestTxnNumber = -1;
    Transaction transaction;
    long lastRetryableTxnNumber = -1;
    Document lastRetryableReply;
    volatile long lastUsedNanos = System.nanoTime();

    ServerSession(Document lsid) {
        this.lsid = lsid;
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }
}
