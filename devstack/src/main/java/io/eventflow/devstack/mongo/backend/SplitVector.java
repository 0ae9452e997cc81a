package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;

/**
 * MongoDB's {@code splitVector}: split points that cut a collection, ordered by a single-field key, into chunks of
 * about half the requested maximum size (as mongod computes them). Flink CDC uses it to read a collection's snapshot
 * in parallel.
 */
final class SplitVector {

    private SplitVector() {
    }

    static Document run(CompatDatabase database, Document command) {
        String namespace = String.valueOf(command.get("splitVector"));
        String collectionName = namespace.substring(namespace.indexOf('.') + 1);
        if (!(command.get("keyPattern") instanceof Document keyPattern) || keyPattern.size() != 1) {
            throw MongoErrors.badValue("splitVector: keyPattern must name exactly one field in the eventflow "
                + "MongoDB emulator, was " + command.get("keyPattern"));
        }
        String field = keyPattern.keySet().iterator().next();
        List<Document> splitKeys = new ArrayList<>();
        CompatCollection collection = database.existingCollection(collectionName);
        if (collection != null && collection.count() > 0) {
            long maxChunkBytes = maxChunkBytes(command);
            Document stats = collection.getStats();
            long count = ((Number) stats.get("count")).longValue();
            long averageBytes = Math.max(1, ((Number) stats.get("size")).longValue() / count);
            long keysPerChunk = Math.max(1, maxChunkBytes / (2 * averageBytes));
            if (command.get("maxChunkObjects") instanceof Number maxObjects && maxObjects.longValue() > 0) {
                keysPerChunk = Math.min(keysPerChunk, maxObjects.longValue());
            }
            int maxSplitPoints = command.get("maxSplitPoints") instanceof Number max ? max.intValue() : Integer.MAX_VALUE;
            Document sorted = new Document("$query", new Document()).append("$orderby", new Document(field, 1));
            long position = 0;
            Object lastKey = null;
            for (Document document : collection.handleQuery(new QueryParameters(sorted, 0, 0))) {
                Object key = Utils.getSubdocumentValue(document, field);
                if (position > 0 && position % keysPerChunk == 0 && !Objects.equals(key, lastKey)) {
                    splitKeys.add(new Document(field, key));
                    lastKey = key;
                    if (splitKeys.size() >= maxSplitPoints) {
                        break;
                    }
                }
                position++;
            }
        }
        Document reply = new Document("splitKeys", splitKeys);
        Utils.markOkay(reply);
        return reply;
    }

    private static long maxChunkBytes(Document command) {
        if (command.get("maxChunkSizeBytes") instanceof Number bytes) {
            return bytes.longValue();
        }
        if (command.get("maxChunkSize") instanceof Number megabytes) {
            return megabytes.longValue() * 1024 * 1024;
        }
        throw MongoErrors.badValue("splitVector: need to specify the desired max chunk size (maxChunkSize or maxChunkSizeBytes)");
    }
}
