package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.bson.Document;
import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;

/**
 * The documents a transaction sees in a collection: the committed ones, with the transaction's own writes laid over
 * them (its updates replace, its deletes hide, its inserts are added), each a private copy.
 */
final class TransactionView {

    private final Function<String, CompatDatabase> databases;

    TransactionView(Function<String, CompatDatabase> databases) {
        this.databases = databases;
    }

    /** Whether the transaction wrote to the namespace (if not, the committed data alone answers its reads). */
    static boolean touches(Transaction transaction, String database, String collection) {
        return transaction.workspace.touches(database + "." + collection);
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
            synchronized (collection) {
                Document selector = new Document("$query", filter);
                for (Document document : collection.handleQuery(new QueryParameters(selector, 0, 0))) {
                    committed.add(document.cloneDeeply());
                }
            }
            for (Document document : committed) {
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
