package io.eventflow.devstack.mongo.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;
import io.eventflow.devstack.mongo.backend.CursorBatches;
import io.eventflow.devstack.mongo.backend.MongoErrors;
import io.eventflow.devstack.mongo.backend.PipelineAliases;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;

/**
 * {@code find}, {@code aggregate} and {@code distinct} inside a transaction, over its {@link TransactionView}. Where the
 * transaction has not written to the collection, the committed data alone answers and the ordinary command runs.
 * Results are cut to the requested batch size; the rest is served by {@code getMore}.
 */
final class TransactionReads {

    private static final int DEFAULT_BATCH_SIZE = 101;

    private final TransactionView view;
    private final java.util.function.Function<String, CompatDatabase> databases;
    private final DatabaseResolver resolver;
    private final ReplicationLog oplog;
    private final CursorBatches cursorBatches;

    TransactionReads(TransactionView view, java.util.function.Function<String, CompatDatabase> databases,
                     DatabaseResolver resolver, ReplicationLog oplog, CursorBatches cursorBatches) {
        this.view = view;
        this.databases = databases;
        this.resolver = resolver;
        this.oplog = oplog;
        this.cursorBatches = cursorBatches;
    }

    Document find(Transaction transaction, String database, Document query, Supplier<Document> committedOnly) {
        String collection = String.valueOf(query.get("find"));
        if (!view.differs(transaction, database, collection)) {
            return committedOnly.get();
        }
        Document filter = (Document) query.getOrDefault("filter", new Document());
        List<Document> documents = new ArrayList<>(view.matching(transaction, database, collection, filter));
        if (query.get("sort") instanceof Document sort && !sort.isEmpty()) {
            documents.sort(new DocumentComparator(sort));
        }
        int skip = ((Number) query.getOrDefault("skip", 0)).intValue();
        int limit = Math.abs(((Number) query.getOrDefault("limit", 0)).intValue());
        Stream<Document> result = documents.stream().skip(skip);
        if (limit > 0) {
            result = result.limit(limit);
        }
        List<Document> selected = result.toList();
        if (query.get("projection") instanceof Document projection && !projection.isEmpty()) {
            selected = Aggregation.fromPipeline(List.of(new Document("$project", projection)), resolver, null, null, oplog)
                .runStages(selected.stream());
        }
        int batchSize = query.get("batchSize") instanceof Number size ? size.intValue() : DEFAULT_BATCH_SIZE;
        if (Boolean.TRUE.equals(query.get("singleBatch"))) {
            batchSize = -1;
        }
        return cursorBatches.firstBatch(database + "." + collection, selected, batchSize);
    }

    @SuppressWarnings("unchecked")
    Document aggregate(Transaction transaction, String database, Document query, Supplier<Document> committedOnly) {
        Object target = query.get("aggregate");
        if (!(target instanceof String collectionName)) {
            throw MongoErrors.notSupportedInTransaction("aggregate on a database");
        }
        List<Document> pipeline = (List<Document>) query.get("pipeline");
        if (!pipeline.isEmpty() && pipeline.get(0).containsKey("$changeStream")) {
            throw MongoErrors.notSupportedInTransaction("$changeStream");
        }
        if (!view.differs(transaction, database, collectionName)) {
            return committedOnly.get();
        }
        CompatDatabase compatDatabase = databases.apply(database);
        CompatCollection collection = compatDatabase.existingCollection(collectionName);
        Aggregation aggregation = Aggregation.fromPipeline(PipelineAliases.rewrite(pipeline), resolver, compatDatabase,
            collection, oplog);
        List<Document> result = aggregation.runStages(
            view.matching(transaction, database, collectionName, new Document()).stream());
        return cursorBatches.firstBatch(database + "." + collectionName, result, CursorBatches.requestedBatchSize(query));
    }

    Document distinct(Transaction transaction, String database, Document query, Supplier<Document> committedOnly) {
        String collection = String.valueOf(query.get("distinct"));
        if (!view.differs(transaction, database, collection)) {
            return committedOnly.get();
        }
        String key = String.valueOf(query.get("key"));
        Document filter = (Document) query.getOrDefault("query", new Document());
        List<Object> values = new ArrayList<>();
        for (Document document : view.matching(transaction, database, collection, filter)) {
            Object value = Utils.getSubdocumentValue(document, key);
            if (value instanceof Missing) {
                continue;
            }
            for (Object element : value instanceof List<?> list ? list : List.of(value)) {
                if (values.stream().noneMatch(existing -> java.util.Objects.equals(existing, element))) {
                    values.add(element);
                }
            }
        }
        Document reply = new Document("values", values);
        Utils.markOkay(reply);
        return reply;
    }
}
