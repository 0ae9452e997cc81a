package io.eventflow.job.model;

/**
 * The new version of one cross-aggregate document, on its way to the two-phase-commit sink that writes it when the
 * checkpoint covering it completes. Carries the source positions folded into it since its previous version, for
 * read-your-writes. A Flink POJO.
 */
public class CrossAggregateUpdate {

    public String projection;
    public String documentKey;
    /** Events folded into the document: its version, which only grows. */
    public long eventCount;
    /** The complete document ({@code _id}, the projection's fields, {@code eventCount}, {@code updatedAt}) as BSON. */
    public byte[] document;
    /** The aggregates whose events reached the document since its previous version, and the highest sequenceNo of each. */
    public String[] sourceAggregates;
    public long[] sourceSequenceNos;

    public CrossAggregateUpdate() {
    }

    @Override
    public String toString() {
        return "CrossAggregateUpdate{" + projection + "/" + documentKey + "@" + eventCount + "}";
    }
}
