package io.eventflow.job.model;

/**
 * An event the job could not process: what it was, where, and why. Published to the dead-letter topic; nothing is
 * lost, and the job goes on.
 */
public class DeadLetter {

    /** Where it was rejected: {@code source} (validation), {@code projection:<name>}, {@code kafka}. */
    public String stage;
    public String reason;
    /** The namespace it came from. */
    public String namespace;
    /** Known when the document had them. */
    public String aggregateId;
    public long sequenceNo;
    public String eventId;
    public long clusterTime;
    /** The raw document as extended JSON, truncated to the configured limit. */
    public String rawDocument;
    public boolean rawDocumentTruncated;
    public long detectedAtMillis;

    public DeadLetter() {
    }

    @Override
    public String toString() {
        return "DeadLetter{" + stage + ": " + reason + ", " + aggregateId + "#" + sequenceNo + ", eventId=" + eventId + "}";
    }
}
