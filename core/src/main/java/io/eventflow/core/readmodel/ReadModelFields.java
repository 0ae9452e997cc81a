package io.eventflow.core.readmodel;

/**
 * The fields the job adds to every read-model document, next to the projection's own fields. Readers, the
 * operations commands and the job agree on them here.
 *
 * <p>Per-aggregate read models: {@code _id} is the aggregateId; {@link #LAST_SEQUENCE_NO}, {@link #LAST_EVENT_ID} and
 * {@link #UPDATED_AT} say which event of the stream the document reflects.
 *
 * <p>Cross-aggregate read models: {@code _id} is the document key the projection chose; {@link #EVENT_COUNT} (how
 * many events were folded into it, which only grows) and {@link #UPDATED_AT} (the latest occurrence among them). Each
 * such collection has a companion collection {@code <collection>}{@link #APPLIED_SUFFIX} that records, per document
 * and source aggregate, the highest sequenceNo applied: what read-your-writes waits on.
 */
public final class ReadModelFields {

    public static final String ID = "_id";
    /** The last event of the aggregate's stream the document has processed (applied, skipped or dead-lettered). */
    public static final String LAST_SEQUENCE_NO = "lastSequenceNo";
    public static final String LAST_EVENT_ID = "lastEventId";
    /** When the last event the document reflects occurred (cross-aggregate: the latest of them). */
    public static final String UPDATED_AT = "updatedAt";
    /** Cross-aggregate documents: the number of events folded into the document; the version its writes are guarded by. */
    public static final String EVENT_COUNT = "eventCount";

    /** Suffix of a cross-aggregate read model's companion collection of applied positions. */
    public static final String APPLIED_SUFFIX = ".applied";
    /** Applied records: {@code _id: {k: documentKey, a: aggregateId}, s: sequenceNo, at: date}. */
    public static final String APPLIED_KEY = "k";
    public static final String APPLIED_AGGREGATE = "a";
    public static final String APPLIED_SEQUENCE_NO = "s";
    public static final String APPLIED_AT = "at";

    /** The collection in the read-model database that holds the alias documents of rebuilt read models. */
    public static final String ALIASES_COLLECTION = "aliases";
    /** Alias documents: {@code _id: readModel, collection: "orders_v3", previous: "orders_v2", switchedAt: date}. */
    public static final String ALIAS_COLLECTION = "collection";
    public static final String ALIAS_PREVIOUS = "previous";
    public static final String ALIAS_SWITCHED_AT = "switchedAt";

    private ReadModelFields() {
    }

    /** The companion collection of applied positions of a cross-aggregate read-model collection. */
    public static String appliedCollection(String collection) {
        return collection + APPLIED_SUFFIX;
    }
}
