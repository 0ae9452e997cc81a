package io.eventflow.ops.audit;

import static com.mongodb.client.model.Filters.in;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Sorts;

import io.eventflow.core.event.EventFields;
import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.ops.inspect.JobJars;

/**
 * Audits a cross-aggregate read model by recomputing its documents from the event store with the projection's own
 * code ({@link JobJars#recompute}) and comparing them, field by field, with the stored ones.
 *
 * <p>Stored documents trail the store by up to a checkpoint (they are written when the checkpoint covering their
 * events completes), and events keep arriving while the audit reads. So documents found drifting are recomputed and
 * compared again after {@code settle}, up to {@code rechecks} times; only drift that persists is reported. A document
 * still behind the store on a later look, but which has by then folded in every event the first look expected, is
 * keeping up and not reported: under steady load a busy document (a popular SKU) trails the store at every moment.
 */
public final class CrossAggregateAudit {

    private final MongoCollection<RawBsonDocument> events;
    private final JobJars jars;
    private final String projection;
    private final Duration settle;
    private final int rechecks;
    private final int reportLimit;

    public CrossAggregateAudit(MongoCollection<RawBsonDocument> events, JobJars jars, String projection, Duration settle,
                               int rechecks, int reportLimit) {
        this.events = events;
        this.jars = jars;
        this.projection = projection;
        this.settle = settle;
        this.rechecks = rechecks;
        this.reportLimit = reportLimit;
    }

    /**
     * @param keys the document keys to check, or null for every document (stored or expected)
     */
    public AuditResult audit(String readModel, MongoCollection<BsonDocument> collection, Set<String> keys) {
        Map<String, byte[]> expected = recompute(keys);
        Map<String, BsonDocument> stored = stored(collection, keys);
        Map<String, Drift> drifting = compare(expected, stored);
        Set<String> checkedKeys = new java.util.HashSet<>(expected.keySet());
        checkedKeys.addAll(stored.keySet());
        long checked = keys == null ? checkedKeys.size() : keys.size();
        Map<String, Drift> first = drifting;
        for (int round = 0; round < rechecks && !drifting.isEmpty(); round++) {
            LockSupport.parkNanos(settle.toNanos());
            Set<String> again = new LinkedHashSet<>(drifting.keySet());
            // a document no event of the store makes is drift on every look, not only the first
            drifting = compare(recompute(again), stored(collection, again));
            drifting.keySet().retainAll(again);
            // a document that trails a store still being written to, but has folded in every event the first look
            // expected, is keeping up: under steady load a busy document may never be caught level with the store
            drifting.values().removeIf(drift -> drift.kind() == Drift.Kind.BEHIND && first.containsKey(drift.id())
                && drift.actual() >= first.get(drift.id()).expected());
        }
        List<Drift> reported = drifting.values().stream().limit(reportLimit).toList();
        return new AuditResult(readModel, collection.getNamespace().getCollectionName(), checked, reported,
            drifting.size());
    }

    private Map<String, byte[]> recompute(Set<String> keys) {
        try (MongoCursor<RawBsonDocument> cursor = events.find()
                .sort(Sorts.ascending(EventFields.AGGREGATE_ID, EventFields.SEQUENCE_NO)).iterator()) {
            Iterator<byte[]> bytes = new Iterator<>() {
                public boolean hasNext() {
                    return cursor.hasNext();
                }

                public byte[] next() {
                    RawBsonDocument document = cursor.next();
                    return java.util.Arrays.copyOf(document.getByteBuffer().array(), document.getByteBuffer().limit());
                }
            };
            return jars.recompute(projection, bytes, keys);
        }
    }

    private static Map<String, BsonDocument> stored(MongoCollection<BsonDocument> collection, Set<String> keys) {
        Map<String, BsonDocument> stored = new HashMap<>();
        for (BsonDocument document : keys == null ? collection.find() : collection.find(in(ReadModelFields.ID, keys))) {
            stored.put(document.get(ReadModelFields.ID).asString().getValue(), document);
        }
        return stored;
    }

    private static Map<String, Drift> compare(Map<String, byte[]> expected, Map<String, BsonDocument> stored) {
        Map<String, Drift> drifting = new LinkedHashMap<>();
        expected.forEach((key, bytes) -> {
            BsonDocument want = new BsonDocumentCodec().decode(new BsonBinaryReader(ByteBuffer.wrap(bytes)),
                DecoderContext.builder().build());
            long wantCount = count(want);
            BsonDocument have = stored.get(key);
            if (have == null) {
                drifting.put(key, new Drift(key, Drift.Kind.MISSING, wantCount, 0, ""));
                return;
            }
            long haveCount = count(have);
            Drift drift = Drift.between(key, wantCount, haveCount, true);
            if (drift != null) {
                drifting.put(key, drift);
                return;
            }
            String difference = firstDifference(want, have);
            if (difference != null) {
                drifting.put(key, new Drift(key, Drift.Kind.DIFFERENT, wantCount, haveCount, difference));
            }
        });
        stored.forEach((key, have) -> {
            if (!expected.containsKey(key)) {
                drifting.put(key, new Drift(key, Drift.Kind.AHEAD, 0, count(have), "no event of the store makes it"));
            }
        });
        return drifting;
    }

    private static long count(BsonDocument document) {
        return document.isNumber(ReadModelFields.EVENT_COUNT)
            ? document.getNumber(ReadModelFields.EVENT_COUNT).longValue() : 0;
    }

    /** The first field whose value differs, or null if the documents hold the same fields and values. */
    static String firstDifference(BsonDocument want, BsonDocument have) {
        List<String> fields = new ArrayList<>(want.keySet());
        for (String field : have.keySet()) {
            if (!want.containsKey(field)) {
                fields.add(field);
            }
        }
        for (String field : fields) {
            if (!java.util.Objects.equals(want.get(field), have.get(field))) {
                return field + ": expected " + shown(want.get(field)) + ", stored " + shown(have.get(field));
            }
        }
        return null;
    }

    /** A BSON value as MongoDB's shell would print it (relaxed extended JSON), or "none". */
    private static String shown(org.bson.BsonValue value) {
        if (value == null) {
            return "none";
        }
        String json = new BsonDocument("v", value).toJson(org.bson.json.JsonWriterSettings.builder()
            .outputMode(org.bson.json.JsonMode.RELAXED).build());
        return json.substring(json.indexOf(':') + 1, json.lastIndexOf('}')).trim();
    }
}
