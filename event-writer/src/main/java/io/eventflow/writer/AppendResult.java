package io.eventflow.writer;

import java.util.List;

import io.eventflow.core.readmodel.AppendToken;

/**
 * What an append wrote.
 *
 * @param aggregateId     the stream
 * @param firstSequenceNo the sequence number of the first event appended
 * @param lastSequenceNo  the sequence number of the last event appended: the stream's new version
 * @param commitId        shared by all the events of this append
 * @param eventIds        the events' ids, in order
 */
public record AppendResult(String aggregateId, long firstSequenceNo, long lastSequenceNo, String commitId,
                           List<String> eventIds) {

    public AppendResult {
        eventIds = List.copyOf(eventIds);
    }

    /** The stream's version after the append. */
    public long newVersion() {
        return lastSequenceNo;
    }

    /**
     * The token a reader waits on until a read model reflects this append (read-your-writes): per-aggregate read
     * models with {@code awaitVersion(readModel, aggregateId(), newVersion(), timeout)}, cross-aggregate ones with
     * {@code awaitApplied(readModel, documentKey, token(), timeout)} (module eventflow-read-models).
     */
    public AppendToken token() {
        return new AppendToken(aggregateId, lastSequenceNo);
    }
}
