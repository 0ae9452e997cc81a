package io.eventflow.devstack.mongo.backend;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.eventflow.devstack.mongo.oplog.DocumentImages;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.NoopOplog;

/**
 * A memory collection whose queries use {@link OrderedUniqueIndex} ranges, and return results already in index order
 * when the sort follows the index, so that {@code limit} stops the scan early.
 */
public class CompatCollection extends MemoryCollection implements DocumentImages {

    private volatile boolean keepsImages;
    private final Map<Object, Document> preImages = new HashMap<>();
    private final ChangeRecorder recorder;

    public CompatCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                            CursorRegistry cursorRegistry, ChangeRecorder recorder) {
        super(database, collectionName, options, cursorRegistry);
        this.recorder = recorder;
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                         Document fieldSelector) {
        for (Index<Integer> index : getIndexes()) {
            if (index instanceof OrderedUniqueIndex ordered && !index.getKeys().get(0).getKey().equals("_id")) {
                List<Integer> positions = ordered.orderedPositions(withoutTopLevelAnd(query), orderBy);
                if (positions != null) {
                    return matchDocumentsFromStream(query, positions.stream().map(this::getDocument),
                        numberToSkip, limit, batchSize, null, fieldSelector);
                }
            }
        }
        return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    /**
     * The query with a top-level {@code $and} of plain conditions merged into one document, as the Java driver renders
     * {@code Filters.and(eq(..), gte(..))}; the query itself when it is not of that shape. Only used to plan index
     * reads: the documents found are still matched against the original query.
     */
    static Document withoutTopLevelAnd(Document query) {
        if (query.size() != 1 || !(query.get("$and") instanceof List<?> conditions)) {
            return query;
        }
        Document merged = new Document();
        for (Object condition : conditions) {
            if (!(condition instanceof Document document)) {
                return query;
            }
            for (String field : document.keySet()) {
                Object value = document.get(field);
                if (field.startsWith("$")) {
                    return query;
                }
                if (!merged.containsKey(field)) {
                    merged.put(field, value);
                } else if (merged.get(field) instanceof Document left && value instanceof Document right
                        && isOperatorDocument(left) && isOperatorDocument(right)
                        && right.keySet().stream().noneMatch(left::containsKey)) {
                    Document both = new Document(left);
                    both.putAll(right);
                    merged.put(field, both);
                } else {
                    return query;
                }
            }
        }
        return merged;
    }

    private static boolean isOperatorDocument(Document document) {
        return !document.isEmpty() && document.keySet().stream().allMatch(key -> key.startsWith("$"));
    }

    /**
     * Replaces a stored document by a new version with the same {@code _id}. mongo-java-server's update rejects field
     * names with dots and treats top-level {@code $} names as operators, both of which MongoDB 5.0+ stores; such a
     * version replaces the document by removing and re-adding it.
     */
    public synchronized void replaceWhole(Document stored, Document replacement) {
        if (hasDottedOrDollarNames(replacement)) {
            removeDocument(stored);
            addDocument(replacement.cloneDeeply());
            return;
        }
        Document withoutId = replacement.clone();
        withoutId.remove("_id");
        updateDocuments(new Document("_id", stored.get("_id")), withoutId, ArrayFilters.empty(), false, false,
            NoopOplog.get());
    }

    /** Whether a field name anywhere in the document contains a dot or starts with a dollar sign. */
    public static boolean hasDottedOrDollarNames(Object value) {
        if (value instanceof Document document) {
            for (Map.Entry<String, Object> entry : document.entrySet()) {
                String name = entry.getKey();
                if (name.contains(".") || name.startsWith("$") || hasDottedOrDollarNames(entry.getValue())) {
                    return true;
                }
            }
        } else if (value instanceof List<?> list) {
            return list.stream().anyMatch(CompatCollection::hasDottedOrDollarNames);
        }
        return false;
    }

    /** Turns pre- and post-images for change streams on or off ({@code changeStreamPreAndPostImages}). */
    public void keepImages(boolean enabled) {
        keepsImages = enabled;
    }

    @Override
    public boolean keepsImages() {
        return keepsImages;
    }

    @Override
    public synchronized Document takePreImage(Object id) {
        return preImages.remove(id);
    }

    @Override
    public synchronized Document currentVersion(Object id) {
        for (Document document : handleQuery(new Document("_id", id), 0, 1)) {
            return document.cloneDeeply();
        }
        return null;
    }

    @Override
    protected Integer addDocumentInternal(Document document) {
        if (recorder.isRecording()) {
            recorder.changed(getFullName(), document.get("_id"), null);
        }
        return super.addDocumentInternal(document);
    }

    @Override
    protected void handleUpdate(Integer position, Document oldDocument, Document newDocument) {
        if (keepsImages) {
            preImages.put(oldDocument.get("_id"), oldDocument.cloneDeeply());
        }
        if (recorder.isRecording()) {
            recorder.changed(getFullName(), oldDocument.get("_id"), oldDocument.cloneDeeply());
        }
        super.handleUpdate(position, oldDocument, newDocument);
    }

    @Override
    protected void removeDocument(Integer position) {
        if (keepsImages || recorder.isRecording()) {
            Document removed = getDocument(position);
            if (keepsImages) {
                preImages.put(removed.get("_id"), removed.cloneDeeply());
            }
            if (recorder.isRecording()) {
                recorder.changed(getFullName(), removed.get("_id"), removed.cloneDeeply());
            }
        }
        super.removeDocument(position);
    }

    /** The documents with keys in {@code [min, max)} of the given index, in index order (find's min and max). */
    public synchronized List<Document> documentsBetween(OrderedUniqueIndex index, de.bwaldvogel.mongo.backend.KeyValue min,
                                                        de.bwaldvogel.mongo.backend.KeyValue max) {
        return index.positionsBetween(min, max).stream().map(this::getDocument).toList();
    }

    /** The unique index whose key pattern is the given one, or null. */
    public OrderedUniqueIndex indexWithKeys(List<String> keyNames) {
        for (Index<Integer> index : getIndexes()) {
            if (index instanceof OrderedUniqueIndex ordered && ordered.keyNames().equals(keyNames)) {
                return ordered;
            }
        }
        return null;
    }

    /** The index with the given name, or null. */
    public Index<Integer> indexNamed(String name) {
        for (Index<Integer> index : getIndexes()) {
            if (index.getName().equals(name)) {
                return index;
            }
        }
        return null;
    }
}
