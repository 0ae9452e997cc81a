package io.eventflow.devstack.mongo.update;

import java.util.List;

import io.eventflow.devstack.mongo.backend.ChangeRecorder;
import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;

import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Computes what an update does to a document without touching committed data: the document is copied into a
 * throw-away collection and mongo-java-server's own update (operators, replacement, array filters, upsert) or this
 * layer's pipeline update runs there. A transaction keeps the result in its workspace; a findAndModify or upsert the
 * library cannot run writes it itself.
 */
public final class ScratchUpdates {

    private final CursorRegistry cursors = new CursorRegistry();
    private final CompatDatabase scratchDatabase = new CompatDatabase("eventflow-transaction-scratch", cursors,
        ChangeRecorder.NONE);
    private final DatabaseResolver resolver;

    public ScratchUpdates(DatabaseResolver resolver) {
        this.resolver = resolver;
    }

    /** The document after the update ({@code u} of an update statement, or {@code update} of findAndModify). */
    @SuppressWarnings("unchecked")
    public Document apply(Document document, Object update, Object arrayFilters) {
        CompatCollection scratch = scratch();
        scratch.addDocument(document.cloneDeeply());
        Object id = document.get("_id");
        if (update instanceof List<?> stages) {
            Document statement = new Document("q", new Document("_id", id)).append("u", stages);
            PipelineUpdate.parse(statement, (List<Document>) stages, resolver, scratchDatabase, null)
                .apply(scratch, entry -> { });
            return onlyDocument(scratch);
        }
        Document findAndModify = new Document("query", new Document("_id", id)).append("update", update)
            .append("new", true);
        if (arrayFilters != null) {
            findAndModify.append("arrayFilters", arrayFilters);
        }
        return (Document) scratch.findAndModify(findAndModify).get("value");
    }

    /** The document an upsert that matched nothing inserts. */
    @SuppressWarnings("unchecked")
    public Document upsert(Document filter, Object update, Object arrayFilters) {
        CompatCollection scratch = scratch();
        if (update instanceof List<?> stages) {
            Document statement = new Document("q", filter).append("u", stages).append("upsert", true);
            PipelineUpdate.parse(statement, (List<Document>) stages, resolver, scratchDatabase, null)
                .apply(scratch, entry -> { });
            return onlyDocument(scratch);
        }
        Document findAndModify = new Document("query", filter).append("update", update).append("new", true)
            .append("upsert", true);
        if (arrayFilters != null) {
            findAndModify.append("arrayFilters", arrayFilters);
        }
        return (Document) scratch.findAndModify(findAndModify).get("value");
    }

    private CompatCollection scratch() {
        return scratchDatabase.detachedCollection("scratch");
    }

    private static Document onlyDocument(CompatCollection scratch) {
        return scratch.queryAllAsStream().findFirst()
            .orElseThrow(() -> new IllegalStateException("the update left no document in the scratch collection"));
    }
}
