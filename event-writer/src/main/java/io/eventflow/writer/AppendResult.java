package io.eventflow.writer;

import java.util.List;

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
}
