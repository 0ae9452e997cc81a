package io.eventflow.ops.audit;

import java.util.Locale;

/**
 * One document of a read model that does not match the event store.
 *
 * <p>Per-aggregate read models: {@code expected} is the aggregate's head sequenceNo in the store, {@code actual} the
 * document's {@code lastSequenceNo}. Cross-aggregate read models: {@code expected} is the {@code eventCount}
 * recomputed from the store, {@code actual} the document's.
 *
 * @param id       the document's {@code _id} (the aggregateId, or the cross-aggregate key)
 * @param kind     missing (no document), behind or ahead of the store, or different in its fields at the same version
 * @param expected what the store says, 0 if nothing
 * @param actual   what the document says, 0 if it has none
 * @param detail   for {@link Kind#DIFFERENT}, the first field that differs; else empty
 */
public record Drift(String id, Kind kind, long expected, long actual, String detail) {

    public enum Kind { MISSING, BEHIND, AHEAD, DIFFERENT }

    /** The drift of a document between what the store says and what it holds; null if they agree. */
    static Drift between(String id, long expected, long actual, boolean hasDocument) {
        if (!hasDocument) {
            return expected > 0 ? new Drift(id, Kind.MISSING, expected, 0, "") : null;
        }
        if (actual < expected) {
            return new Drift(id, Kind.BEHIND, expected, actual, "");
        }
        if (actual > expected) {
            return new Drift(id, Kind.AHEAD, expected, actual, "");
        }
        return null;
    }

    @Override
    public String toString() {
        String what = String.format("%-9s %s  store %d, read model %s", kind.name().toLowerCase(Locale.ROOT), id, expected,
            kind == Kind.MISSING ? "none" : String.valueOf(actual));
        return detail.isEmpty() ? what : what + " (" + detail + ")";
    }
}
