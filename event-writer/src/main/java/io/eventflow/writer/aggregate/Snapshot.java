package io.eventflow.writer.aggregate;

import java.time.Instant;

import org.bson.BsonDocument;

/**
 * A stored snapshot: the state of an aggregate after the event {@code lastEventId} at {@code version}. The document is
 * {@code {_id: aggregateId, aggregateType, version, lastEventId, schemaVersion, state, takenAt}}.
 *
 * @param state the state as written by the store's Jackson mapper
 */
record Snapshot(String aggregateId, String aggregateType, long version, String lastEventId, int schemaVersion,
                BsonDocument state, Instant takenAt) {

    static final String AGGREGATE_TYPE = "aggregateType";
    static final String VERSION = "version";
    static final String LAST_EVENT_ID = "lastEventId";
    static final String SCHEMA_VERSION = "schemaVersion";
    static final String STATE = "state";
    static final String TAKEN_AT = "takenAt";
}
