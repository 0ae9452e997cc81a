package io.eventflow.ops.audit;

/**
 * One aggregate whose read model does not stand at the head of its stream.
 *
 * @param aggregateId the aggregate
 * @param kind missing (no read model), behind or ahead of the store
 * @param storeHead the highest sequenceNo in the event store, 0 if the stream does not exist
 * @param readModelVersion the read model's {@code lastSequenceNo}, 0 if it has none
 */
public record Drift(String aggregateId, Kind kind, long storeHead, long readModelVersion) {

    public enum Kind { MISSING, BEHIND, AHEAD }

    static Drift between(String aggregateId, long storeHead, long readModelVersion, boolean hasReadModel) {
        if (!hasReadModel) {
            return storeHead > 0 ? new Drift(aggregateId, Kind.MISSING, storeHead, 0) : null;
        }
        if (readModelVersion < storeHead) {
            return new Drift(aggregateId, Kind.BEHIND, storeHead, readModelVersion);
        }
        if (readModelVersion > storeHead) {
            return new Drift(aggregateId, Kind.AHEAD, storeHead, readModelVersion);
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format("%-7s %s  store head %d, read model %s", kind.name().toLowerCase(java.util.Locale.ROOT),
            aggregateId, storeHead, kind == Kind.MISSING ? "none" : String.valueOf(readModelVersion));
    }
}
