package io.eventflow.job.ordering;

import java.io.Serializable;
import java.util.List;

import io.eventflow.job.source.EventDocumentReader;

/**
 * Reads the events a gap is missing from the event store. Opened once per parallel instance of the ordering
 * operator, which calls it on its task thread: each read must be bounded in size (the limit) and in time.
 */
public interface GapFiller extends Serializable {

    default void open() throws Exception {
    }

    /**
     * The stored events of an aggregate with {@code from <= sequenceNo <= to}, in sequence order, at most
     * {@code limit} of them, each read with the same rules as the change stream's events.
     */
    List<EventDocumentReader.Result> read(String aggregateId, long from, long to, int limit) throws Exception;

    default void close() throws Exception {
    }
}
