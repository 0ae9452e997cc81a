package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Write errors for duplicate keys with the {@code keyPattern} and {@code keyValue} fields MongoDB 4.4+ adds, so that a
 * client can tell which unique index a write collided with.
 */
public final class DuplicateKeys {

    private static final String INDEX_MARKER = " index: ";
    private static final String DUP_KEY_MARKER = " dup key: ";

    private DuplicateKeys() {
    }

    /** A write error document for a failed statement. */
    public static Document writeError(int index, MongoServerError error, CompatCollection collection, Document document) {
        Document writeError = new Document("index", index)
            .append("code", error.getCode())
            .append("codeName", error.getCodeName())
            .append("errmsg", error.getMessageWithoutErrorCode());
        Document details = keyDetails(error, collection, document);
        if (details != null) {
            writeError.putAll(details);
        }
        return writeError;
    }

    /**
     * {@code {keyPattern, keyValue}} of a duplicate key error: the violated index's key pattern and the document's
     * values for it; null when the error is not a duplicate key or the index is unknown.
     */
    public static Document keyDetails(MongoServerError error, CompatCollection collection, Document document) {
        if (error.getCode() != MongoErrors.DUPLICATE_KEY || collection == null || document == null) {
            return null;
        }
        Index<Integer> violated = collection.indexNamed(indexName(error.getMessageWithoutErrorCode()));
        if (violated == null) {
            return null;
        }
        Document keyPattern = new Document();
        Document keyValue = new Document();
        for (IndexKey key : violated.getKeys()) {
            keyPattern.append(key.getKey(), key.isAscending() ? 1 : -1);
            Object value = Utils.getSubdocumentValue(document, key.getKey());
            keyValue.append(key.getKey(), value instanceof Missing ? null : value);
        }
        return new Document("keyPattern", keyPattern).append("keyValue", keyValue);
    }

    /** The index name in a message of the form {@code E11000 ... index: <name> dup key: {...}}. */
    static String indexName(String message) {
        int start = message.indexOf(INDEX_MARKER);
        int end = message.indexOf(DUP_KEY_MARKER);
        if (start < 0 || end < start) {
            return "";
        }
        return message.substring(start + INDEX_MARKER.length(), end);
    }
}
