package io.eventflow.devstack.mongo.oplog;

import java.time.Instant;

import io.eventflow.devstack.mongo.backend.BsonSize;

import de.bwaldvogel.mongo.bson.Document;

/**
 * One operation in the oplog. Entries are immutable once appended; the documents they hold are private copies.
 *
 * @param sequence          the entry's gap-free index in the oplog, used by cursors to continue without rescanning
 * @param position          cluster time and index within a transaction
 * @param wallTime          wall-clock time of the write
 * @param kind              what happened
 * @param database          database of the namespace
 * @param collection        collection of the namespace, {@code null} for {@link OperationKind#DROP_DATABASE}
 * @param documentId        {@code _id} of the document written, for inserts, updates, replaces and deletes
 * @param document          the inserted document, the replacement document for a replace, or the
 *                          {@code operationDescription} of a rename or of an expanded event
 * @param updateDescription {@code {updatedFields, removedFields, truncatedArrays}} for an update
 * @param renamedTo         {@code {db, coll}} of the new name, for a rename
 * @param lsid              the session of the transaction the entry belongs to, else {@code null}
 * @param txnNumber         the transaction number, else {@code null}
 * @param bytes             the encoded size of the documents the entry carries, to bound reply sizes
 * @param preImage          the document before an update, replace or delete, when the collection keeps images
 * @param postImage         the document after an update or replace, when the collection keeps images
 */
public record OplogEntry(long sequence, OplogPosition position, Instant wallTime, OperationKind kind,
                         String database, String collection, Object documentId, Document document,
                         Document updateDescription, Document renamedTo, Document lsid, Long txnNumber,
                         int bytes, Document preImage, Document postImage) {

    private static final int HEADER_BYTES = 256;

    /** An operation not yet appended: no sequence, position, time or transaction yet. */
    public static OplogEntry pending(OperationKind kind, String database, String collection, Object documentId,
                                     Document document, Document updateDescription, Document renamedTo) {
        int bytes = (document != null ? BsonSize.of(document) : 0)
            + (updateDescription != null ? BsonSize.of(updateDescription) : 0);
        return pendingInsert(kind, database, collection, documentId, document, updateDescription, renamedTo, bytes);
    }

    /** An inserted document whose encoded size the caller has already computed. */
    public static OplogEntry inserted(String database, String collection, Object documentId, Document document,
                                      int documentBytes) {
        return pendingInsert(OperationKind.INSERT, database, collection, documentId, document, null, null, documentBytes);
    }

    private static OplogEntry pendingInsert(OperationKind kind, String database, String collection, Object documentId,
                                            Document document, Document updateDescription, Document renamedTo,
                                            int documentBytes) {
        return new OplogEntry(-1, null, null, kind, database, collection, documentId, document, updateDescription,
            renamedTo, null, null, HEADER_BYTES + documentBytes, null, null);
    }

    OplogEntry sequenced(long sequence, OplogPosition position, Instant wallTime, Document lsid, Long txnNumber) {
        return new OplogEntry(sequence, position, wallTime, kind, database, collection, documentId, document,
            updateDescription, renamedTo, lsid, txnNumber, bytes, preImage, postImage);
    }

    /** The entry with the pre- and post-images of its document (either may be null). */
    OplogEntry withImages(Document before, Document after) {
        int imageBytes = (before != null ? BsonSize.of(before) : 0) + (after != null ? BsonSize.of(after) : 0);
        return new OplogEntry(sequence, position, wallTime, kind, database, collection, documentId, document,
            updateDescription, renamedTo, lsid, txnNumber, bytes + imageBytes, before, after);
    }

    public String namespace() {
        return collection == null ? database : database + "." + collection;
    }
}
