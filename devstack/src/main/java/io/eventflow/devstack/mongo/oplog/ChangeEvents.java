package io.eventflow.devstack.mongo.oplog;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.BiFunction;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/** Turns oplog entries into change events with the fields and field order of MongoDB 6.0. */
final class ChangeEvents {

    private static final int NO_MATCHING_DOCUMENT = 47;

    private final BiFunction<String, String, MongoCollection<?>> collectionResolver;

    ChangeEvents(BiFunction<String, String, MongoCollection<?>> collectionResolver) {
        this.collectionResolver = collectionResolver;
    }

    Document render(OplogEntry entry, ChangeStreamRequest request) {
        Document event = header(entry.position(), entry.kind().operationType(), entry);
        switch (entry.kind()) {
            case INSERT -> event.append("fullDocument", entry.document())
                .append("ns", namespace(entry))
                .append("documentKey", new Document("_id", entry.documentId()));
            case REPLACE -> {
                event.append("fullDocument", entry.document())
                    .append("ns", namespace(entry))
                    .append("documentKey", new Document("_id", entry.documentId()));
                appendPreImage(event, entry, request);
            }
            case UPDATE -> {
                switch (request.fullDocument()) {
                    case "updateLookup" -> event.append("fullDocument", currentDocument(entry));
                    case "whenAvailable" -> event.append("fullDocument", entry.postImage());
                    case "required" -> event.append("fullDocument", required(entry.postImage(), "post-image", entry));
                    default -> { }
                }
                event.append("ns", namespace(entry))
                    .append("documentKey", new Document("_id", entry.documentId()))
                    .append("updateDescription", entry.updateDescription());
                appendPreImage(event, entry, request);
            }
            case DELETE -> {
                event.append("ns", namespace(entry))
                    .append("documentKey", new Document("_id", entry.documentId()));
                appendPreImage(event, entry, request);
            }
            case DROP, DROP_DATABASE -> event.append("ns", namespace(entry));
            case RENAME -> {
                event.append("ns", namespace(entry)).append("to", entry.renamedTo());
                if (request.showExpandedEvents()) {
                    event.append("operationDescription", entry.document() != null ? entry.document()
                        : new Document("to", entry.renamedTo()));
                }
            }
            case CREATE, CREATE_INDEXES, DROP_INDEXES, MODIFY -> event.append("ns", namespace(entry))
                .append("operationDescription", entry.document() != null ? entry.document() : new Document());
        }
        if (request.showExpandedEvents() && entry.collection() != null) {
            event.append("collectionUUID", collectionUuid(entry));
        }
        if (entry.txnNumber() != null) {
            event.append("txnNumber", entry.txnNumber()).append("lsid", entry.lsid());
        }
        return event;
    }

    private static void appendPreImage(Document event, OplogEntry entry, ChangeStreamRequest request) {
        switch (request.fullDocumentBeforeChange()) {
            case "whenAvailable" -> event.append("fullDocumentBeforeChange", entry.preImage());
            case "required" -> event.append("fullDocumentBeforeChange", required(entry.preImage(), "pre-image", entry));
            default -> { }
        }
    }

    private static Document required(Document image, String what, OplogEntry entry) {
        if (image == null) {
            throw new MongoServerError(NO_MATCHING_DOCUMENT, "NoMatchingDocument", "Change stream was configured to "
                + "require a " + what + " for all update, delete and replace events, but the " + what + " was not "
                + "found for the " + entry.kind().operationType() + " of _id " + entry.documentId() + " in "
                + entry.namespace() + " (enable changeStreamPreAndPostImages on the collection before the change)");
        }
        return image;
    }

    /** The collection's UUID, or one derived from its name when it no longer exists. */
    private UUID collectionUuid(OplogEntry entry) {
        MongoCollection<?> collection = collectionResolver.apply(entry.database(), entry.collection());
        return collection != null ? collection.getUuid()
            : UUID.nameUUIDFromBytes(entry.namespace().getBytes(StandardCharsets.UTF_8));
    }

    /** The event that ends a stream after a drop, rename or dropDatabase; resuming it with startAfter continues. */
    Document invalidate(OplogEntry cause) {
        Document event = header(cause.position(), "invalidate", cause);
        event.put("_id", ResumeToken.invalidateToken(cause.position()));
        return event;
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
