package io.eventflow.devstack.mongo.txn;

import de.bwaldvogel.mongo.backend.KeyValue;

/** A unique-index key an open transaction has inserted but not yet committed. */
record PendingKey(String namespace, String indexName, KeyValue key) {
}
