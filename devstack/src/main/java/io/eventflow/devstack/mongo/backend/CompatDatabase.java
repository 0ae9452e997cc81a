package io.eventflow.devstack.mongo.backend;

import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;

/** A memory database whose collections and unique indexes are the ordered, range-capable ones of this layer. */
public class CompatDatabase extends MemoryDatabase {

    public CompatDatabase(String databaseName, CursorRegistry cursorRegistry) {
        super(databaseName, cursorRegistry);
    }

    @Override
    protected CompatCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        return new CompatCollection(this, collectionName, options, cursorRegistry);
    }

    @Override
    protected Index<Integer> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                     boolean sparse) {
        return new OrderedUniqueIndex(indexName, keys, sparse);
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
