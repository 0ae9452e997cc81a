package io.eventflow.job.model;

/**
 * A change to the event collection other than an insert: events are immutable, so an update, replace or delete
 * means something wrote to the store behind the writer's back. Never projected; published to the integrity topic,
 * logged and counted.
 */
public class IntegrityViolation implements SideRecord {

    public String operationType;
    public String namespace;
    public String documentKeyJson;
    /** The document after the change (updates and replaces), extended JSON, truncated to the configured limit. */
    public String documentJson;
    /** What an update changed, extended JSON, truncated to the configured limit. */
    public String updateDescriptionJson;
    public boolean documentTruncated;
    public boolean updateDescriptionTruncated;
    public long clusterTime;
    public long detectedAtMillis;

    public IntegrityViolation() {
    }

    /** {@code <operationType>/<documentKey>@<clusterTime>}: one change of one stored document. */
    @Override
    public String recordKey() {
        return operationType + "/" + documentKeyJson + "@" + clusterTime;
    }

    @Override
    public IntegrityViolation bounded(RecordLimits limits) {
        IntegrityViolation bounded = new IntegrityViolation();
        bounded.operationType = limits.identifier(operationType);
        bounded.namespace = limits.identifier(namespace);
        bounded.documentKeyJson = limits.identifier(documentKeyJson);
        bounded.documentJson = limits.document(documentJson);
        bounded.documentTruncated = documentTruncated || limits.cutsDocument(documentJson);
        bounded.updateDescriptionJson = limits.document(updateDescriptionJson);
        bounded.updateDescriptionTruncated = updateDescriptionTruncated || limits.cutsDocument(updateDescriptionJson);
        bounded.clusterTime = clusterTime;
        bounded.detectedAtMillis = detectedAtMillis;
        return bounded;
    }

    @Override
    public String toString() {
        return "IntegrityViolation{" + operationType + " on " + namespace + " " + documentKeyJson + "}";
    }
}
