package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.InMemoryCursor;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Cursor replies cut to the requested {@code batchSize}: the first batch is returned, the rest waits in a cursor of
 * mongo-java-server's registry, which its {@code getMore} and {@code killCursors} serve. mongo-java-server returns
 * whole aggregation results in the first batch; MongoDB returns at most {@code cursor.batchSize} documents.
 */
public final class CursorBatches {

    private final CursorRegistry registry;

    public CursorBatches(CursorRegistry registry) {
        this.registry = registry;
    }

    /** The requested first batch size of a command's {@code cursor} document, or -1 when none was given. */
    public static int requestedBatchSize(Document command) {
        if (command.get("cursor") instanceof Document cursor && cursor.get("batchSize") instanceof Number size) {
            return size.intValue();
        }
        return -1;
    }

    /** A first-batch reply for all documents, of which at most {@code batchSize} (if not negative) are sent now. */
    public Document firstBatch(String namespace, List<Document> documents, int batchSize) {
        if (batchSize < 0 || documents.size() <= batchSize) {
            return CursorReplies.firstBatch(namespace, documents);
        }
        List<Document> first = new ArrayList<>(documents.subList(0, batchSize));
        InMemoryCursor rest = new InMemoryCursor(registry.generateCursorId(),
            new ArrayList<>(documents.subList(batchSize, documents.size())));
        registry.add(rest);
        return CursorReplies.reply(namespace, "firstBatch", first, rest.getId());
    }

    /** A library reply whose first batch holds everything, cut to the batch size the command asked for. */
    public Document limitFirstBatch(Document reply, Document command) {
        int batchSize = requestedBatchSize(command);
        if (batchSize < 0 || !(reply.get("cursor") instanceof Document cursor)
            || !(cursor.get("firstBatch") instanceof List<?> batch) || batch.size() <= batchSize
            || !(cursor.get("id") instanceof Number id) || id.longValue() != 0) {
            return reply;
        }
        return firstBatch(String.valueOf(cursor.get("ns")), CursorReplies.firstBatchOf(reply), batchSize);
    }
}
