package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;

import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The documents a transaction sees in a collection: the committed ones as of its snapshot (changes committed by others
 * since are undone with the {@link SnapshotHistory}), with the transaction's own writes laid over them (its updates
 * replace, its deletes hide, its inserts are added), each a private copy.
 */
final class TransactionView {

    private final Function<String, CompatDatabase> databases;
    private final SnapshotHistory history;

    TransactionView(Function<String, CompatDatabase> databases, SnapshotHistory history) {
        this.databases = databases;
        this.history = history;
    }

    /**
     * Whether the transaction's view of the namespace differs from the committed data: it wrote there, or others
     * changed it after its snapshot. If not, the ordinary command answers its reads.
     */
    boolean differs(Transaction transaction, String database, String collection) {
        String namespace = database + "." + collection;
        return transaction.workspace.touches(namespace) || !history.changedSince(namespace, transaction.snapshot).isEmpty();
    }

    /** Whether another client changed the document after the transaction's snapshot (a write conflict). */
    boolean changedByOthers(Transaction transaction, String namespace, Object id) {
        return history.changedSince(namespace, transaction.snapshot).containsKey(id);
    }

    /** The documents matching the filter, in natural order (committed first, then the transaction's inserts). */
    List<Document> matching(Transaction transaction, String database, String collectionName, Document filter) {
        String namespace = database + "." + collectionName;
        Map<Object, Document> overlay = transaction.workspace.overlay(namespace);
        DefaultQueryMatcher matcher = new DefaultQueryMatcher();
        List<Document> result = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        if (collection != null) {
            List<Document> committed = new ArrayList<>();
            Map<Object, Document> asOfSnapshot;
            synchronized (collection) {
                Document selector = new Document("$query", filter);
                for (Document document : collection.handleQuery(new QueryParameters(selector, 0, 0))) {
                    committed.add(document.cloneDeeply());
                }
                asOfSnapshot = history.changedSince(namespace, transaction.snapshot);
            }
            // a document changed since the snapshot is seen as it was then (or not at all if it did not exist)
            List<Document> asOfThen = new ArrayList<>();
            for (Document current : committed) {
                if (!asOfSnapshot.containsKey(current.get("_id"))) {
                    asOfThen.add(current);
                }
            }
            for (Document earlier : asOfSnapshot.values()) {
                if (earlier != null && matcher.matches(earlier, filter)) {
                    asOfThen.add(earlier);
                }
            }
            for (Document document : asOfThen) {
                Object id = document.get("_id");
                if (overlay.containsKey(id)) {
                    seen.add(id);
                    Document own = overlay.get(id);
                    if (own != null && matcher.matches(own, filter)) {
                        result.add(own.cloneDeeply());
                    }
                } else {
                    result.add(document);
                }
            }
        }
        for (Map.Entry<Object, Document> own : overlay.entrySet()) {
            if (!seen.contains(own.getKey()) && own.getValue() != null && matcher.matches(own.getValue(), filter)) {
                result.add(own.getValue().cloneDeeply());
            }
        }
        return result;
    }
}
