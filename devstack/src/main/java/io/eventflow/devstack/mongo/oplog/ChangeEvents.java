package io.eventflow.devstack.mongo.oplog;

import java.util.function.BiFunction;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;

/** Turns oplog entries into change events with the fields and field order of MongoDB 6.0. */
final class ChangeEvents {

    private final BiFunction<String, String, MongoCollection<?>> collectionResolver;

    ChangeEvents(BiFunction<String, String, MongoCollection<?>> collectionResolver) {
        this.collectionResolver = collectionResolver;
    }

    Document render(OplogEntry entry, boolean lookupUpdates) {
        Document event = header(entry.position(), entry.kind().operationType(), entry);
        switch (entry.kind()) {
            case INSERT, REPLACE -> event.append("fullDocument", entry.document())
                .append("ns", namespace(entry))
                .append("documentKey", new Document("_id", entry.documentId()));
            case UPDATE -> {
                if (lookupUpdates) {
                    event.append("fullDocument", currentDocument(entry));
                }
                event.append("ns", namespace(entry))
                    .append("documentKey", new Document("_id", entry.documentId()))
                    .append("updateDescription", entry.updateDescription());
            }
            case DELETE -> event.append("ns", namespace(entry))
                .append("documentKey", new Document("_id", entry.documentId()));
            case DROP, DROP_DATABASE -> event.append("ns", namespace(entry));
            case RENAME -> event.append("ns", namespace(entry)).append("to", entry.renamedTo());
        }
        if (entry.txnNumber() != null) {
            event.append("txnNumber", entry.txnNumber()).append("lsid", entry.lsid());
        }
        return event;
    }

    /** The event that ends a stream after a drop, rename or dropDatabase; resuming it with startAfter continues. */
    Document invalidate(OplogEntry cause) {
        return header(cause.position(), "invalidate", cause);
    }

    private static Document header(OplogPosition position, String operationType, OplogEntry entry) {
        return new Document("_id", ResumeToken.toDocument(position))
            .append("operationType", operationType)
            .append("clusterTime", position.bsonTimestamp())
            .append("wallTime", entry.wallTime());
    }

    private static Document namespace(OplogEntry entry) {
        Document namespace = new Document("db", entry.database());
        if (entry.collection() != null) {
            namespace.append("coll", entry.collection());
        }
        return namespace;
    }

    /** The document as it is now (MongoDB's updateLookup), or null when it has been deleted since. */
    private Document currentDocument(OplogEntry entry) {
        MongoCollection<?> collection = collectionResolver.apply(entry.database(), entry.collection());
        if (collection == null) {
            return null;
        }
        // Documents are updated in place under the collection's monitor; copy under it too.
        synchronized (collection) {
            for (Document document : collection.handleQuery(new Document("_id", entry.documentId()), 0, 1)) {
                return document.cloneDeeply();
            }
        }
        return null;
    }
}
