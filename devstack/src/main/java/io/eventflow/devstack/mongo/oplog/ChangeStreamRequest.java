package io.eventflow.devstack.mongo.oplog;

import java.util.List;
import java.util.Set;

import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The options of a {@code $changeStream} stage, validated as MongoDB validates them.
 *
 * @param scope            what is watched
 * @param fullDocument     {@code default}, {@code updateLookup}, {@code whenAvailable} or {@code required}
 * @param fullDocumentBeforeChange {@code off}, {@code whenAvailable} or {@code required}
 * @param showExpandedEvents whether the stream also reports create, createIndexes, dropIndexes and modify events
 * @param resumeAfter      resume strictly after this token's position, or {@code null}
 * @param startAfter       start strictly after this token's position (also after an invalidate), or {@code null}
 * @param startAtOperation start at (including) this cluster time, or {@code null}
 * @param laterStages      the pipeline stages after {@code $changeStream}
 */
public record ChangeStreamRequest(ChangeStreamScope scope, String fullDocument, String fullDocumentBeforeChange,
                                  boolean showExpandedEvents, OplogPosition resumeAfter, OplogPosition startAfter,
                                  BsonTimestamp startAtOperation, List<Document> laterStages) {

    private static final Set<String> KNOWN_OPTIONS = Set.of("fullDocument", "fullDocumentBeforeChange", "resumeAfter",
        "startAfter", "startAtOperationTime", "allChangesForCluster", "showExpandedEvents");
    private static final Set<String> ALLOWED_STAGES = Set.of("$match", "$project", "$addFields", "$set", "$unset",
        "$replaceRoot", "$replaceWith", "$redact");
    /** The aggregation stages MongoDB 6.0 knows; any other name is error 40324. */
    private static final Set<String> KNOWN_STAGES = Set.of("$addFields", "$bucket", "$bucketAuto", "$changeStream",
        "$collStats", "$count", "$currentOp", "$densify", "$documents", "$facet", "$fill", "$geoNear", "$graphLookup",
        "$group", "$indexStats", "$limit", "$listLocalSessions", "$listSessions", "$lookup", "$match", "$merge", "$out",
        "$planCacheStats", "$project", "$redact", "$replaceRoot", "$replaceWith", "$sample", "$search", "$searchMeta",
        "$set", "$setWindowFields", "$skip", "$sort", "$sortByCount", "$unionWith", "$unset", "$unwind");
    private static final Set<String> FULL_DOCUMENT = Set.of("default", "updateLookup", "whenAvailable", "required");
    private static final Set<String> FULL_DOCUMENT_BEFORE_CHANGE = Set.of("off", "whenAvailable", "required");

    /**
     * Parses {@code {$changeStream: {...}}} options.
     *
     * @param commandDatabase   the database the aggregate was sent to
     * @param aggregateTarget   the aggregate command's value: a collection name or the number 1
     * @param options           the {@code $changeStream} document
     * @param laterStages       the stages after it
     */
    public static ChangeStreamRequest parse(String commandDatabase, Object aggregateTarget, Document options,
                                            List<Document> laterStages) {
        for (String option : options.keySet()) {
            if (!KNOWN_OPTIONS.contains(option)) {
                throw MongoErrors.failedToParse("BSON field '$changeStream." + option + "' is an unknown field.");
            }
        }
        for (Document stage : laterStages) {
            String name = stage.keySet().iterator().next();
            if (!KNOWN_STAGES.contains(name)) {
                throw new de.bwaldvogel.mongo.exception.MongoServerError(40324,
                    "Unrecognized pipeline stage name: '" + name + "'");
            }
            if (!ALLOWED_STAGES.contains(name)) {
                throw MongoErrors.badValue("Stage " + name + " is not permitted in a $changeStream pipeline");
            }
        }
        ChangeStreamScope scope = scope(commandDatabase, aggregateTarget, Boolean.TRUE.equals(options.get("allChangesForCluster")));

        Object fullDocument = options.getOrDefault("fullDocument", "default");
        if (!FULL_DOCUMENT.contains(fullDocument)) {
            throw MongoErrors.badValue("'" + fullDocument + "' is not a valid value for $changeStream.fullDocument; "
                + "expected one of " + FULL_DOCUMENT);
        }
        Object beforeChange = options.getOrDefault("fullDocumentBeforeChange", "off");
        if (!FULL_DOCUMENT_BEFORE_CHANGE.contains(beforeChange)) {
            throw MongoErrors.badValue("'" + beforeChange + "' is not a valid value for "
                + "$changeStream.fullDocumentBeforeChange; expected one of " + FULL_DOCUMENT_BEFORE_CHANGE);
        }

        int resumeOptions = (options.containsKey("resumeAfter") ? 1 : 0) + (options.containsKey("startAfter") ? 1 : 0)
            + (options.containsKey("startAtOperationTime") ? 1 : 0);
        if (resumeOptions > 1) {
            throw new de.bwaldvogel.mongo.exception.MongoServerError(40674,
                "Only one type of resume option is allowed, but multiple were found.");
        }
        if (ResumeToken.isInvalidate(options.get("resumeAfter"))) {
            throw MongoErrors.invalidResumeToken("Attempting to resume a change stream using 'resumeAfter' is not "
                + "allowed from an invalidate notification; use 'startAfter' to open a new stream after it.");
        }
        OplogPosition resumeAfter = options.containsKey("resumeAfter") ? ResumeToken.decode(options.get("resumeAfter")) : null;
        OplogPosition startAfter = options.containsKey("startAfter") ? ResumeToken.decode(options.get("startAfter")) : null;
        Object startAt = options.get("startAtOperationTime");
        if (startAt != null && !(startAt instanceof BsonTimestamp)) {
            throw MongoErrors.typeMismatch("BSON field '$changeStream.startAtOperationTime' is the wrong type '"
                + startAt.getClass().getSimpleName() + "', expected type 'timestamp'");
        }
        return new ChangeStreamRequest(scope, (String) fullDocument, (String) beforeChange,
            Boolean.TRUE.equals(options.get("showExpandedEvents")), resumeAfter, startAfter, (BsonTimestamp) startAt,
            List.copyOf(laterStages));
    }

    private static ChangeStreamScope scope(String database, Object target, boolean allChangesForCluster) {
        boolean aggregateOne = target instanceof Number number && number.intValue() == 1;
        if (allChangesForCluster) {
            if (!"admin".equals(database) || !aggregateOne) {
                throw MongoErrors.invalidOptions("A $changeStream with 'allChangesForCluster:true' may only be opened "
                    + "on the 'admin' database, and with no collection name");
            }
            return ChangeStreamScope.cluster();
        }
        if ("admin".equals(database) || "config".equals(database) || "local".equals(database)) {
            throw MongoErrors.invalidOptions("$changeStream may not be opened on the internal " + database + " database");
        }
        if (aggregateOne) {
            return ChangeStreamScope.database(database);
        }
        if (!(target instanceof String collection)) {
            throw MongoErrors.failedToParse("Invalid aggregate target: " + target);
        }
        return ChangeStreamScope.collection(database, collection);
    }

    public boolean lookupUpdates() {
        return "updateLookup".equals(fullDocument);
    }

    /** Whether the stream reports an entry: expanded events only with {@code showExpandedEvents}. */
    public boolean reports(OplogEntry entry) {
        return scope.sees(entry) && (showExpandedEvents || !entry.kind().isExpanded());
    }

    /**
     * Where the stream starts: strictly after this position.
     *
     * @param now the cluster time when the stream is opened
     */
    public OplogPosition startPosition(BsonTimestamp now) {
        if (resumeAfter != null) {
            return resumeAfter;
        }
        if (startAfter != null) {
            return startAfter;
        }
        if (startAtOperation != null) {
            return OplogPosition.before(startAtOperation);
        }
        return OplogPosition.highWaterMark(now);
    }
}
