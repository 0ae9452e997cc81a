package io.eventflow.devstack.mongo.oplog;

import java.util.Set;

/**
 * What a change stream watches: one collection, one database or the whole cluster, with MongoDB's rules for which
 * events each sees and which events end it.
 *
 * @param database   the database, {@code null} for a cluster-wide stream
 * @param collection the collection, {@code null} for a database or cluster-wide stream
 */
public record ChangeStreamScope(String database, String collection) {

    private static final Set<String> INTERNAL_DATABASES = Set.of("admin", "config", "local");

    public static ChangeStreamScope cluster() {
        return new ChangeStreamScope(null, null);
    }

    public static ChangeStreamScope database(String database) {
        return new ChangeStreamScope(database, null);
    }

    public static ChangeStreamScope collection(String database, String collection) {
        return new ChangeStreamScope(database, collection);
    }

    public boolean isCluster() {
        return database == null;
    }

    public boolean isDatabase() {
        return database != null && collection == null;
    }

    /** Whether an entry is an event of this stream. */
    public boolean sees(OplogEntry entry) {
        if (INTERNAL_DATABASES.contains(entry.database())) {
            return false;
        }
        if (entry.collection() != null && entry.collection().startsWith("system.")) {
            return false;
        }
        if (isCluster()) {
            return true;
        }
        if (!database.equals(entry.database())) {
            return false;
        }
        if (isDatabase()) {
            return true;
        }
        return collection.equals(entry.collection()) || entry.kind() == OperationKind.DROP_DATABASE;
    }

    /** Whether the entry, which this stream sees, is followed by an {@code invalidate} event that ends it. */
    public boolean isInvalidatedBy(OplogEntry entry) {
        if (isCluster()) {
            return false;
        }
        if (isDatabase()) {
            return entry.kind() == OperationKind.DROP_DATABASE;
        }
        return entry.kind().invalidatesCollectionStreams();
    }

    /** The namespace MongoDB reports for the stream's cursor. */
    public String cursorNamespace(String commandDatabase) {
        if (isCluster()) {
            return "admin.$cmd.aggregate";
        }
        return isDatabase() ? database + ".$cmd.aggregate" : database + "." + collection;
    }

    @Override
    public String toString() {
        return isCluster() ? "cluster" : isDatabase() ? "database " + database : "collection " + database + "." + collection;
    }
}
