package io.eventflow.ops.audit;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Filters.type;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

import io.eventflow.core.event.EventFields;
import io.eventflow.core.readmodel.ReadModelFields;

/**
 * Audits a per-aggregate read model: compares each aggregate's head {@code sequenceNo} in the event store with its
 * document's {@code lastSequenceNo}. Which aggregates should have a document: those with an event of a type the
 * projection handles (asked from the job's jar), or, without the jar, those of one aggregate type.
 *
 * <p>Events keep arriving while it reads, so a first pass may catch a read model a few milliseconds behind (or, with
 * the read models read after the heads, ahead). Every aggregate found drifting is read again after {@code settle},
 * up to {@code rechecks} times: a read model that has reached the head the first pass saw, or that the store has
 * caught up with, is fine; only drift that persists is reported. So an audit under load reports what the store held
 * when it began and the read model still lacks, not events in flight.
 */
public final class ReadModelAudit {

    private static final String AGGREGATE_ID = EventFields.AGGREGATE_ID;
    private static final String AGGREGATE_TYPE = EventFields.AGGREGATE_TYPE;
    private static final String SEQUENCE_NO = EventFields.SEQUENCE_NO;
    private static final String EVENT_TYPE = EventFields.EVENT_TYPE;
    private static final String LAST_SEQUENCE_NO = ReadModelFields.LAST_SEQUENCE_NO;

    private final MongoCollection<Document> events;
    private final String aggregateType;
    private final Predicate<Set<String>> handles;
    private final Duration settle;
    private final int rechecks;
    private final int reportLimit;

    /**
     * @param aggregateType the type of the aggregates the read model covers, or null for all of them
     */
    public ReadModelAudit(MongoCollection<Document> events, String aggregateType, Duration settle, int rechecks,
                          int reportLimit) {
        this(events, aggregateType, types -> true, settle, rechecks, reportLimit);
    }

    /**
     * @param handles whether an aggregate with events of these types should have a document
     */
    public static ReadModelAudit ofHandledTypes(MongoCollection<Document> events, Predicate<Set<String>> handles,
                                                Duration settle, int rechecks, int reportLimit) {
        return new ReadModelAudit(events, null, handles, settle, rechecks, reportLimit);
    }

    private ReadModelAudit(MongoCollection<Document> events, String aggregateType, Predicate<Set<String>> handles,
                           Duration settle, int rechecks, int reportLimit) {
        this.events = events;
        this.aggregateType = aggregateType;
        this.handles = handles;
        this.settle = settle;
        this.rechecks = rechecks;
        this.reportLimit = reportLimit;
    }

    public AuditResult audit(String readModel, MongoCollection<Document> collection) {
        Map<String, Long> heads = heads();
        Map<String, Drift> drifting = new LinkedHashMap<>();
        Map<String, Long> versions = new HashMap<>();
        for (Document document : collection.find().projection(Projections.include(LAST_SEQUENCE_NO))) {
            versions.put(String.valueOf(document.get("_id")), version(document));
        }
        heads.forEach((id, head) -> record(drifting, id, head, versions.get(id)));
        versions.forEach((id, version) -> {
            if (!heads.containsKey(id)) {
                record(drifting, id, 0, version);
            }
        });
        for (int round = 0; round < rechecks && !drifting.isEmpty(); round++) {
            LockSupport.parkNanos(settle.toNanos());
            List<String> ids = new ArrayList<>(drifting.keySet());
            drifting.clear();
            Map<String, Long> again = new HashMap<>();
            for (Document document : collection.find(in("_id", ids)).projection(Projections.include(LAST_SEQUENCE_NO))) {
                again.put(String.valueOf(document.get("_id")), version(document));
            }
            for (String id : ids) {
                // behind or missing: resolved once the read model reaches the head the first pass saw (later events
                // are in flight, not drift); ahead: resolved once the store has caught up with the read model
                long firstHead = heads.getOrDefault(id, 0L);
                Long version = again.get(id);
                if (version != null && (firstHead == 0 || version >= firstHead)) {
                    long current = head(id);
                    if (version > current) {
                        record(drifting, id, current, version); // ahead of the store: never in flight
                    }
                } else {
                    record(drifting, id, firstHead, version);
                }
            }
        }
        List<Drift> reported = drifting.values().stream().limit(reportLimit).toList();
        return new AuditResult(readModel, collection.getNamespace().getCollectionName(), heads.size(), reported,
            drifting.size());
    }

    private static void record(Map<String, Drift> drifting, String id, long head, Long version) {
        Drift drift = Drift.between(id, head, version == null ? 0 : version, version != null);
        if (drift != null) {
            drifting.put(id, drift);
        }
    }

    /**
     * The highest sequenceNo of every aggregate that should have a document, in one pass over the store (the unique
     * index serves it on MongoDB).
     */
    private Map<String, Long> heads() {
        List<Bson> pipeline = new ArrayList<>();
        // documents without a usable position belong to no stream: the job dead-letters them, and so no read model
        // reflects them (a string sequenceNo would also win $max over every number)
        Bson positioned = and(type(AGGREGATE_ID, "string"), or(type(SEQUENCE_NO, "int"), type(SEQUENCE_NO, "long")),
            gte(SEQUENCE_NO, 1));
        pipeline.add(Aggregates.match(aggregateType == null ? positioned : and(eq(AGGREGATE_TYPE, aggregateType), positioned)));
        pipeline.add(Aggregates.group("$" + AGGREGATE_ID, Accumulators.max("head", "$" + SEQUENCE_NO),
            Accumulators.addToSet("types", "$" + EVENT_TYPE)));
        Map<String, Long> heads = new HashMap<>();
        for (Document group : events.aggregate(pipeline).allowDiskUse(true)) {
            Set<String> types = new HashSet<>(group.getList("types", Object.class).stream().map(String::valueOf).toList());
            if (handles.test(types)) {
                heads.put(String.valueOf(group.get("_id")), ((Number) group.get("head")).longValue());
            }
        }
        return heads;
    }

    private long head(String aggregateId) {
        Document head = events.find(and(eq(AGGREGATE_ID, aggregateId), or(type(SEQUENCE_NO, "int"),
                type(SEQUENCE_NO, "long")))).sort(Sorts.descending(SEQUENCE_NO)).limit(1)
            .projection(Projections.include(SEQUENCE_NO)).first();
        return head == null ? 0 : ((Number) head.get(SEQUENCE_NO)).longValue();
    }

    private static long version(Document document) {
        Object value = document.get(LAST_SEQUENCE_NO);
        return value instanceof Number number ? number.longValue() : 0;
    }
}
