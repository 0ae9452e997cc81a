package io.eventflow.job.inspect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.metrics.SimpleCounter;
import org.bson.RawBsonDocument;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectionCatalog;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.crossaggregate.DocumentKeys;
import io.eventflow.job.projection.fold.FoldSlot;
import io.eventflow.job.projection.fold.GuardedFold;
import io.eventflow.job.projection.fold.KeyedFold;
import io.eventflow.job.readmodel.ReadModelEncoder;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * What tools outside the job ({@code bin/audit}, {@code bin/rebuild}) need to know of the projections a job jar runs,
 * computed with the job's own code: which read models there are, which event types a projection handles, and what a
 * cross-aggregate document must contain, recomputed from the event store.
 *
 * <p>The tools load this class from the job's jars in a class loader of their own, as Flink loads user code, and call
 * its static methods through reflection; arguments and results are JDK types only (strings, byte arrays of BSON,
 * collections), so nothing of the job's classpath leaks into the tool's.
 */
public final class ReadModelInspector {

    /** Describes a read model: {@code name}, {@code collection}, {@code kind} ({@link #PER_AGGREGATE} or {@link #CROSS_AGGREGATE}). */
    public static final String PER_AGGREGATE = "per-aggregate";
    public static final String CROSS_AGGREGATE = "cross-aggregate";

    private ReadModelInspector() {
    }

    private static ProjectionRegistry registry(List<String> names) {
        return ProjectionCatalog.discover(ReadModelInspector.class.getClassLoader()).select(names);
    }

    /** Every projection of the jars (or those named): name, collection and kind. */
    public static List<Map<String, String>> describe(List<String> names) {
        ProjectionRegistry registry = registry(names);
        List<Map<String, String>> models = new ArrayList<>();
        for (Projection<?> projection : registry.projections()) {
            models.add(Map.of("name", projection.name(), "collection", projection.collection(), "kind", PER_AGGREGATE));
        }
        for (CrossAggregateProjection<?> projection : registry.crossAggregateProjections()) {
            models.add(Map.of("name", projection.name(), "collection", projection.collection(), "kind", CROSS_AGGREGATE));
        }
        return models;
    }

    /** The event types, of those given, that the projection handles (a type whose check throws is not handled). */
    public static Set<String> handledTypes(String projection, Collection<String> eventTypes) {
        ProjectionRegistry registry = registry(List.of(projection));
        Set<String> handled = new LinkedHashSet<>();
        for (String type : eventTypes) {
            try {
                boolean handles = registry.projections().isEmpty()
                    ? registry.crossAggregateProjections().get(0).handles(type)
                    : registry.projections().get(0).handles(type);
                if (handles) {
                    handled.add(type);
                }
            } catch (RuntimeException e) {
                // the job dead-letters such events: they never make a document
            }
        }
        return handled;
    }

    /**
     * The documents a cross-aggregate projection must hold, recomputed from stored events exactly as the job folds
     * them: routed with the same key memory, folded under the same guard, encoded by the same encoder.
     *
     * @param storedEvents the event store's documents as BSON, each aggregate's events in sequenceNo order (for
     *                     example sorted by {@code {aggregateId: 1, sequenceNo: 1}})
     * @param keys         the document keys to compute, or null for all
     * @return the BSON of each document, by key
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Map<String, byte[]> recompute(String projection, Iterator<byte[]> storedEvents, Set<String> keys) {
        ProjectionRegistry registry = registry(List.of(projection));
        if (registry.crossAggregateProjections().isEmpty()) {
            throw new IllegalArgumentException("'" + projection + "' is not a cross-aggregate projection");
        }
        CrossAggregateProjection crossAggregate = registry.crossAggregateProjections().get(0);
        EventDocumentReader reader = new EventDocumentReader(Integer.MAX_VALUE);
        GuardedFold fold = new GuardedFold(KeyedFold.of(crossAggregate), new ExecutionConfig(),
            (event, step, cause) -> { }, new SimpleCounter(), new SimpleCounter(), new SimpleCounter(), new SimpleCounter());
        ReadModelEncoder encoder = new ReadModelEncoder();
        GuardedFold.DocumentWriter writer = (key, fields, slot) -> encoder.encodeCrossAggregate(key, fields,
            slot.eventCount(), slot.updatedAt());
        Map<String, FoldSlot> slots = new LinkedHashMap<>();
        Map<String, Set<String>> keysOfAggregate = new HashMap<>();
        while (storedEvents.hasNext()) {
            if (!(reader.read(new RawBsonDocument(storedEvents.next()), 0, false) instanceof EventDocumentReader.Valid valid)) {
                continue; // dead-lettered at the source: no contribution
            }
            EventEnvelope event = valid.event();
            ProjectedEvent view = ProjectionFailures.view(event, registry.upcasters());
            Set<String> routed;
            try {
                if (!crossAggregate.handles(event.eventType)) {
                    continue;
                }
                routed = DocumentKeys.checked(crossAggregate.documentKeys(view,
                    Collections.unmodifiableSet(keysOfAggregate.getOrDefault(event.aggregateId, Set.of()))));
            } catch (RuntimeException e) {
                continue; // dead-lettered by the router
            }
            if (routed.isEmpty()) {
                continue;
            }
            keysOfAggregate.put(event.aggregateId, routed);
            for (String key : routed) {
                if (keys == null || keys.contains(key)) {
                    FoldSlot slot = slots.computeIfAbsent(key, k -> new FoldSlot());
                    fold.fold(slot, key, event, view);
                }
            }
        }
        Map<String, byte[]> documents = new LinkedHashMap<>();
        slots.forEach((key, slot) -> {
            byte[] document = fold.document(slot, key, writer);
            if (document != null) {
                documents.put(key, document);
            }
        });
        return documents;
    }
}
