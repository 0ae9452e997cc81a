package io.eventflow.core.event;

/**
 * The event document: the contract between the writer and the projection job. Every event is one document in the
 * event collection:
 *
 * <pre>
 * {
 *   _id:           "3f0c...",            // eventId: a string UUID unless the caller gives one
 *   aggregateId:   "order-42",           // required
 *   aggregateType: "Order",              // optional
 *   sequenceNo:    NumberLong(3),        // 1-based, contiguous per aggregate; unique with aggregateId
 *   eventType:     "OrderShipped",
 *   schemaVersion: 1,
 *   occurredAt:    ISODate("..."),       // UTC
 *   payload:       { ... },
 *   metadata:      { correlationId: "...", causationId: "...", ...any caller keys },
 *   commitId:      "9a1e..."             // shared by all the events of one append
 * }
 * </pre>
 *
 * The collection has a unique index on {@code {aggregateId: 1, sequenceNo: 1}}. Events are immutable: nothing ever
 * updates or deletes them.
 */
public final class EventFields {

    public static final String EVENT_ID = "_id";
    public static final String AGGREGATE_ID = "aggregateId";
    public static final String AGGREGATE_TYPE = "aggregateType";
    public static final String SEQUENCE_NO = "sequenceNo";
    public static final String EVENT_TYPE = "eventType";
    public static final String SCHEMA_VERSION = "schemaVersion";
    public static final String OCCURRED_AT = "occurredAt";
    public static final String PAYLOAD = "payload";
    public static final String METADATA = "metadata";
    public static final String COMMIT_ID = "commitId";

    public static final String CORRELATION_ID = "correlationId";
    public static final String CAUSATION_ID = "causationId";

    /** Name of the unique index the store creates. */
    public static final String STREAM_INDEX_NAME = "aggregateId_1_sequenceNo_1";

    /** MongoDB's maximum document size. */
    public static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    private EventFields() {
    }
}
