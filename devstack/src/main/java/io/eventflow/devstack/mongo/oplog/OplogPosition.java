package io.eventflow.devstack.mongo.oplog;

import de.bwaldvogel.mongo.bson.BsonTimestamp;

/**
 * A point in the oplog: a cluster timestamp and, for the operations of one transaction (which share a timestamp), the
 * index of the operation within it. Positions are totally ordered; a change stream resumes strictly after one.
 *
 * @param timestamp the cluster time, as the unsigned 64-bit value {@code seconds << 32 | increment}
 * @param opIndex   the index within a transaction, or {@link #AFTER_ALL} for a high-water mark
 */
public record OplogPosition(long timestamp, long opIndex) implements Comparable<OplogPosition> {

    /** Sorts after every operation at the same timestamp: a high-water mark. */
    public static final long AFTER_ALL = 0xFFFFFFFFL;

    public static OplogPosition of(BsonTimestamp timestamp, long opIndex) {
        return new OplogPosition(timestamp.getValue(), opIndex);
    }

    /**
     * The position just before the given time (after everything at the previous timestamp value), so that resuming
     * after it includes that time, as {@code startAtOperationTime} does.
     */
    public static OplogPosition before(BsonTimestamp timestamp) {
        long value = timestamp.getValue();
        return value == 0 ? new OplogPosition(0, 0) : new OplogPosition(value - 1, AFTER_ALL);
    }

    /** The position after every operation at the given time. */
    public static OplogPosition highWaterMark(BsonTimestamp timestamp) {
        return new OplogPosition(timestamp.getValue(), AFTER_ALL);
    }

    public BsonTimestamp bsonTimestamp() {
        return new BsonTimestamp(timestamp);
    }

    public int seconds() {
        return (int) (timestamp >>> 32);
    }

    public int increment() {
        return (int) timestamp;
    }

    @Override
    public int compareTo(OplogPosition other) {
        int byTime = Long.compareUnsigned(timestamp, other.timestamp);
        return byTime != 0 ? byTime : Long.compare(opIndex, other.opIndex);
    }

    public boolean isAfter(OplogPosition other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return "Timestamp(" + Integer.toUnsignedString(seconds()) + ", " + Integer.toUnsignedString(increment()) + ")#" + opIndex;
    }
}
