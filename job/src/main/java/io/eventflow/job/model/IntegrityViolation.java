package io.eventflow.job.model;

/**
 * A change to the event collection other than an insert: events are immutable, so an update, replace or delete
 * means something wrote to the store behind the writer's back. Never projected; published to the integrity topic,
 * logged and counted.
 */
public class IntegrityViolation {

    public String operationType;
    public String namespace;
    public String documentKeyJson;
    /** The document after the change (updates and replaces), extended JSON, truncated to the configured limit. */
    public String documentJson;
    public String updateDescriptionJson;
    public long clusterTime;
    public long detectedAtMillis;

    public IntegrityViolation() {
    }

    @Override
    public String toString() {
        return "IntegrityViolation{" + operationType + " on " + namespace + " " + documentKeyJson + "}";
    }
}
