package io.eventflow.job.model;

/**
 * The new version of one read-model document, as a projection produced it, on its way to MongoDB.
 */
public class ReadModelUpdate {

    public String projection;
    public String aggregateId;
    public long lastSequenceNo;
    /** The complete document (including {@code _id}, {@code lastSequenceNo}, ...), as BSON bytes. */
    public byte[] document;

    public ReadModelUpdate() {
    }

    public ReadModelUpdate(String projection, String aggregateId, long lastSequenceNo, byte[] document) {
        this.projection = projection;
        this.aggregateId = aggregateId;
        this.lastSequenceNo = lastSequenceNo;
        this.document = document;
    }

    @Override
    public String toString() {
        return "ReadModelUpdate{" + projection + " " + aggregateId + "@" + lastSequenceNo + "}";
    }
}
