package io.eventflow.job.model;

import java.util.Objects;

/**
 * An event of the event store as it flows through the job: the writer's fields, the cluster time of its commit and
 * whether it came from the snapshot or from the change stream.
 *
 * <p>A {@linkplain #isPlaceholder() placeholder} stands for an event that was dead-lettered: it holds its position
 * in the aggregate's stream, so ordering does not wait for it (or read it again from the store), and it is neither
 * projected nor published.
 *
 * <p>A Flink POJO (public fields of supported types, no-argument constructor), so Flink serializes it without Kryo
 * and its state schema can evolve.
 */
public class EventEnvelope {

    public String eventId;
    public String aggregateId;
    /** May be null: the writer makes the aggregate type optional. */
    public String aggregateType;
    public long sequenceNo;
    public String eventType;
    public int schemaVersion;
    /** Epoch milliseconds; 0 when the document has no occurredAt. */
    public long occurredAtMillis;
    /** The payload as plain JSON. */
    public String payloadJson;
    /** The metadata as plain JSON. */
    public String metadataJson;
    public String commitId;
    /** MongoDB cluster time of the commit, as the 64-bit value {@code seconds << 32 | increment}; 0 if unknown. */
    public long clusterTime;
    /** True for records of the source's snapshot phase. */
    public boolean snapshot;
    /** True for a dead-lettered event's position holder. */
    public boolean placeholder;

    public EventEnvelope() {
    }

    /** A placeholder for the event at this position, which was dead-lettered. */
    public static EventEnvelope placeholder(String aggregateId, long sequenceNo, String eventId, long clusterTime,
                                            boolean snapshot) {
        EventEnvelope envelope = new EventEnvelope();
        envelope.aggregateId = aggregateId;
        envelope.sequenceNo = sequenceNo;
        envelope.eventId = eventId;
        envelope.clusterTime = clusterTime;
        envelope.snapshot = snapshot;
        envelope.placeholder = true;
        return envelope;
    }

    /** A copy: operators that keep an event beyond the call copy it, since with object reuse the caller may recycle it. */
    public EventEnvelope copy() {
        EventEnvelope copy = new EventEnvelope();
        copy.eventId = eventId;
        copy.aggregateId = aggregateId;
        copy.aggregateType = aggregateType;
        copy.sequenceNo = sequenceNo;
        copy.eventType = eventType;
        copy.schemaVersion = schemaVersion;
        copy.occurredAtMillis = occurredAtMillis;
        copy.payloadJson = payloadJson;
        copy.metadataJson = metadataJson;
        copy.commitId = commitId;
        copy.clusterTime = clusterTime;
        copy.snapshot = snapshot;
        copy.placeholder = placeholder;
        return copy;
    }

    public boolean isPlaceholder() {
        return placeholder;
    }

    /** Seconds part of the cluster time. */
    public long clusterTimeSeconds() {
        return clusterTime >>> 32;
    }

    /**
     * When the event was committed, in milliseconds: the cluster time has seconds only, so the event's occurredAt is
     * taken when it falls within that second (it is the writer's clock just before the commit).
     */
    public long commitMillis() {
        long second = clusterTimeSeconds() * 1000;
        return occurredAtMillis >= second && occurredAtMillis < second + 1000 ? occurredAtMillis : second;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof EventEnvelope that)) {
            return false;
        }
        return sequenceNo == that.sequenceNo && schemaVersion == that.schemaVersion
            && occurredAtMillis == that.occurredAtMillis && clusterTime == that.clusterTime && snapshot == that.snapshot
            && placeholder == that.placeholder && Objects.equals(eventId, that.eventId)
            && Objects.equals(aggregateId, that.aggregateId) && Objects.equals(aggregateType, that.aggregateType)
            && Objects.equals(eventType, that.eventType) && Objects.equals(payloadJson, that.payloadJson)
            && Objects.equals(metadataJson, that.metadataJson) && Objects.equals(commitId, that.commitId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(aggregateId, sequenceNo, eventId);
    }

    @Override
    public String toString() {
        return (placeholder ? "Placeholder{" : "EventEnvelope{") + aggregateId + "#" + sequenceNo + " " + eventType
            + " v" + schemaVersion + ", eventId=" + eventId + (snapshot ? ", snapshot" : "") + "}";
    }
}
