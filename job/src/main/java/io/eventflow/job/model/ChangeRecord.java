package io.eventflow.job.model;

/**
 * One change record of the event collection, as Flink CDC delivers it, before validation: the operation, the
 * namespace, the documents as MongoDB extended JSON, the cluster time and whether it came from the snapshot.
 */
public class ChangeRecord {

    /** insert, update, replace or delete (snapshot records are inserts). */
    public String operationType;
    public String database;
    public String collection;
    /** Extended JSON of the document key ({@code {"_id": ...}}), or null. */
    public String documentKeyJson;
    /** Extended JSON of the full document, or null (deletes, updates whose document is gone). */
    public String fullDocumentJson;
    /** Extended JSON of the update description for updates, or null. */
    public String updateDescriptionJson;
    /** Cluster time as {@code seconds << 32 | increment}; 0 for snapshot records. */
    public long clusterTime;
    public boolean snapshot;

    public ChangeRecord() {
    }

    public String namespace() {
        return database + "." + collection;
    }

    @Override
    public String toString() {
        return "ChangeRecord{" + operationType + " " + namespace() + " " + documentKeyJson + (snapshot ? " snapshot" : "") + "}";
    }
}
