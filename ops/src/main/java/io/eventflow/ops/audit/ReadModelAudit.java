package io.eventflow.ops.audit;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

/**
 * Compares each aggregate's head {@code sequenceNo} in the event store with its read model's {@code lastSequenceNo}.
 *
 * <p>Events keep arriving while it reads, so a first pass may catch a read model a few milliseconds behind (or, with
 * the read models read after the heads, ahead). Every aggregate found drifting is read again after {@code settle},
 * up to {@code rechecks} times: a read model that has reached the head the first pass saw, or that the store has
 * caught up with, is fine; only drift that persists is reported. So an audit under load reports what the store held
 * when it began and the read model still lacks, not events in flight.
 */
public final class ReadModelAudit {

    private static final String AGGREGATE_ID = "aggregateId";
    private static final String AGGREGATE_TYPE = "aggregateType";
    private static final String SEQUENCE_NO = "sequenceNo";
    private static final String LAST_SEQUENCE_NO = "lastSequenceNo";

    private final MongoCollection<Document> events;
    private final String aggregateType;
    private final Duration settle;
    private final int rechecks;
    private final int reportLimit;

    /**
     * @param aggregateType the type of the aggregates the read model covers, or null for all of them
     */
    public ReadModelAudit(MongoCollection<Document> events, String aggregateType, Duration settle, int rechecks,
                          int reportLimit) {
        this.events = events;
        this.aggregateType = aggregateType;
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

    /** Every aggregate's highest sequenceNo, in one pass over the store (the unique index serves it on MongoDB). */
    private Map<String, Long> heads() {
        List<Bson> pipeline = new ArrayList<>();
        if (aggregateType != null) {
            pipeline.add(Aggregates.match(eq(AGGREGATE_TYPE, aggregateType)));
        }
        pipeline.add(Aggregates.group("$" + AGGREGATE_ID, Accumulators.max("head", "$" + SEQUENCE_NO)));
        Map<String, Long> heads = new HashMap<>();
        for (Document group : events.aggregate(pipeline).allowDiskUse(true)) {
            heads.put(String.valueOf(group.get("_id")), ((Number) group.get("head")).longValue());
        }
        return heads;
    }

    private long head(String aggregateId) {
        Document head = events.find(eq(AGGREGATE_ID, aggregateId)).sort(Sorts.descending(SEQUENCE_NO)).limit(1)
            .projection(Projections.include(SEQUENCE_NO)).first();
        return head == null ? 0 : ((Number) head.get(SEQUENCE_NO)).longValue();
    }

    private static long version(Document document) {
        Object value = document.get(LAST_SEQUENCE_NO);
        return value instanceof Number number ? number.longValue() : 0;
    }
}
