package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.InMemoryCursor;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * {@code find} with {@code min} and {@code max}: the documents whose key in the hinted index lies in {@code [min, max)}
 * in BSON order, whatever the types of the values. Flink CDC reads each snapshot split this way.
 */
final class MinMaxFind {

    private MinMaxFind() {
    }

    static Document run(CompatDatabase database, Document command, CursorRegistry cursors) {
        String collectionName = String.valueOf(command.get("find"));
        String namespace = database.getDatabaseName() + "." + collectionName;
        CompatCollection collection = database.existingCollection(collectionName);
        if (collection == null) {
            return CursorReplies.firstBatch(namespace, List.of());
        }
        if (!(command.get("hint") instanceof Document hint)) {
            throw new MongoServerError(51173, "When using min()/max() a hint of which index to use must be provided");
        }
        List<String> keys = new ArrayList<>(hint.keySet());
        OrderedUniqueIndex index = collection.indexWithKeys(keys);
        if (index == null) {
            throw MongoErrors.badValue("min()/max() need a hint naming a unique index in the eventflow MongoDB "
                + "emulator; no unique index has the key pattern " + hint);
        }
        KeyValue min = bound(command.get("min"), keys, "min");
        KeyValue max = bound(command.get("max"), keys, "max");
        Document filter = (Document) command.getOrDefault("filter", new Document());
        DefaultQueryMatcher matcher = new DefaultQueryMatcher();
        Stream<Document> documents = collection.documentsBetween(index, min, max).stream()
            .filter(document -> matcher.matches(document, filter));
        int skip = ((Number) command.getOrDefault("skip", 0)).intValue();
        int limit = Math.abs(((Number) command.getOrDefault("limit", 0)).intValue());
        documents = documents.skip(skip);
        if (limit > 0) {
            documents = documents.limit(limit);
        }
        List<Document> result = documents.toList();
        if (command.get("projection") instanceof Document projection && !projection.isEmpty()) {
            result = Aggregation.fromPipeline(List.of(new Document("$project", projection)), null, null, null, null)
                .runStages(result.stream());
        }
        int batchSize = ((Number) command.getOrDefault("batchSize", 0)).intValue();
        if (batchSize <= 0 || result.size() <= batchSize || Boolean.TRUE.equals(command.get("singleBatch"))) {
            return CursorReplies.firstBatch(namespace, result);
        }
        InMemoryCursor cursor = new InMemoryCursor(cursors.generateCursorId(),
            new ArrayList<>(result.subList(batchSize, result.size())));
        cursors.add(cursor);
        return CursorReplies.reply(namespace, "firstBatch", result.subList(0, batchSize), cursor.getId());
    }

    private static KeyValue bound(Object bound, List<String> keys, String name) {
        if (bound == null) {
            return null;
        }
        if (!(bound instanceof Document document) || !new ArrayList<>(document.keySet()).equals(keys)) {
            throw new MongoServerError(51174, "The index key pattern " + keys + " does not match the shape of the "
                + name + "() bound " + bound);
        }
        return new KeyValue(new ArrayList<>(document.values()));
    }
}
