package io.eventflow.job.ordering;

import java.io.Serializable;

import io.eventflow.job.model.EventEnvelope;

/**
 * Where each aggregate's stream starts for the ordering operator, fixed when the job first starts without state and
 * kept in its operator state from then on (a restore never changes it).
 *
 * <ul>
 *   <li>{@link #beginning()} (startup INITIAL): every aggregate from sequenceNo 1; its whole history is read.</li>
 *   <li>{@link #firstEventAfter(long)} (LATEST and TIMESTAMP): an aggregate the job has no state for starts at the
 *       first event the change stream delivers for it whose commit is at or after the start position; that event is
 *       emitted at once, and the events before it are not the job's to order (they are never read from the store).
 *       Snapshot events always start from sequenceNo 1: a snapshot delivers whole histories in any order.</li>
 * </ul>
 */
public sealed interface StartPosition extends Serializable {

    /** Every aggregate from sequenceNo 1 (startup INITIAL). */
    static StartPosition beginning() {
        return new Beginning();
    }

    /**
     * Each aggregate from its first change-stream event committed at or after this cluster time (startup LATEST:
     * 0, every event the stream delivers; TIMESTAMP: the startup timestamp).
     */
    static StartPosition firstEventAfter(long clusterTime) {
        return new FirstEventAfter(clusterTime);
    }

    /** The sequenceNo an aggregate with no state starts after, when this event is the first the job sees of it. */
    long lastBefore(EventEnvelope first);

    /** Every aggregate from sequenceNo 1. */
    record Beginning() implements StartPosition {
        @Override
        public long lastBefore(EventEnvelope first) {
            return 0;
        }

        @Override
        public String toString() {
            return "beginning()";
        }
    }

    /** Each aggregate from its first change-stream event committed at or after {@code clusterTime}. */
    record FirstEventAfter(long clusterTime) implements StartPosition {
        @Override
        public long lastBefore(EventEnvelope first) {
            return !first.snapshot && Long.compareUnsigned(first.clusterTime, clusterTime) >= 0 ? first.sequenceNo - 1 : 0;
        }

        @Override
        public String toString() {
            return "firstEventAfter(" + (clusterTime >>> 32) + "s#" + (clusterTime & 0xffffffffL) + ")";
        }
    }
}
