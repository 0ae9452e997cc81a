package io.eventflow.devstack.mongo.backend;

import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;

/** A memory database whose collections and unique indexes are the ordered, range-capable ones of this layer. */
public class CompatDatabase extends MemoryDatabase {

    private static final String INDEXES_COLLECTION = "system.indexes";

    private final ChangeRecorder recorder;

    public CompatDatabase(String databaseName, CursorRegistry cursorRegistry, ChangeRecorder recorder) {
        super(databaseName, cursorRegistry);
        this.recorder = recorder;
    }

    @Override
    protected CompatCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        // the library opens its system collections while it is constructed, before this class's fields are set
        return new CompatCollection(this, collectionName, options, cursorRegistry,
            recorder == null ? ChangeRecorder.NONE : recorder);
    }

    /** A collection of this database that is not registered in it (a scratch space). */
    public CompatCollection detachedCollection(String collectionName) {
        return new CompatCollection(this, collectionName, CollectionOptions.withDefaults(), cursorRegistry, recorder);
    }

    @Override
    protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                     boolean sparse) {
        return new OrderedUniqueIndex(indexName, keys, sparse);
    }

    /**
     * Drops the collection. mongo-java-server drops the indexes it finds registered for the collection's name and
     * then insists that none is left; an index that kept its old namespace through a rename would make the drop fail,
     * so such leftovers are dropped first.
     */
    @Override
    public void dropCollection(String collectionName, Oplog oplog) {
        MongoCollection<Integer> collection = resolveCollection(collectionName, false);
        MongoCollection<Integer> registered = resolveCollection(INDEXES_COLLECTION, false);
        if (collection != null) {
            for (Index<Integer> index : List.copyOf(collection.getIndexes())) {
                Document registration = new Document("ns", collection.getFullName()).append("name", index.getName());
                boolean known = registered != null && registered.handleQuery(registration).iterator().hasNext();
                if (!known) {
                    collection.dropIndex(index.getName());
                }
            }
        }
        super.dropCollection(collectionName, oplog);
    }

    /** The collection, created (with its {@code _id} index) if it does not exist yet. */
    public CompatCollection collectionForWrite(String collectionName) {
        return (CompatCollection) resolveOrCreateCollection(collectionName);
    }

    /** The collection, or null. */
    public CompatCollection existingCollection(String collectionName) {
        MongoCollection<Integer> collection = resolveCollection(collectionName, false);
        return (CompatCollection) collection;
    }
}
