package io.eventflow.devstack.mongo.backend;

import java.util.List;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

/** Cursor-shaped command replies, as drivers expect them: {@code cursor.id} an int64 and {@code cursor.ns} a string. */
public final class CursorReplies {

    private CursorReplies() {
    }

    public static Document firstBatch(String namespace, List<Document> documents) {
        return reply(namespace, "firstBatch", documents, 0L);
    }

    public static Document reply(String namespace, String batchField, List<Document> documents, long cursorId) {
        Document cursor = new Document(batchField, documents)
            .append("id", cursorId)
            .append("ns", namespace);
        Document reply = new Document("cursor", cursor);
        Utils.markOkay(reply);
        return reply;
    }

    /** The documents of a cursor reply's first batch. */
    @SuppressWarnings("unchecked")
    public static List<Document> firstBatchOf(Document reply) {
        return (List<Document>) ((Document) reply.get("cursor")).get("firstBatch");
    }
}
