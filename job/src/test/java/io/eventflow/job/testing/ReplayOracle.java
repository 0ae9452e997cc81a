package io.eventflow.job.testing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectedEvent;
import io.eventflow.job.projection.Projection;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.ReadModelDocuments;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.writer.EventFields;

/**
 * What the read models must be: every aggregate's stream, read from the event store in order and folded through the
 * same projections, single-threaded, with no Flink involved.
 */
public final class ReplayOracle {

    private ReplayOracle() {
    }

    /** projection name -> aggregateId -> expected document. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Map<String, Map<String, BsonDocument>> expectedReadModels(MongoCollection<BsonDocument> eventCollection,
                                                                           ProjectionRegistry registry) {
        EventDocumentReader reader = new EventDocumentReader(Integer.MAX_VALUE);
        Map<String, TreeMap<Long, EventEnvelope>> streams = new HashMap<>();
        for (BsonDocument document : eventCollection.find()) {
            if (reader.read(document, 0, false) instanceof EventDocumentReader.Valid valid) {
                streams.computeIfAbsent(valid.event().aggregateId, id -> new TreeMap<>()).put(valid.event().sequenceNo, valid.event());
            }
        }
        Map<String, Map<String, BsonDocument>> expected = new LinkedHashMap<>();
        for (Projection projection : registry.projections()) {
            Map<String, BsonDocument> documents = new HashMap<>();
            streams.forEach((aggregateId, events) -> {
                Object state = null;
                EventEnvelope last = null;
                for (EventEnvelope event : events.values()) {
                    if (projection.handles(event.eventType)) {
                        try {
                            Object base = state != null ? state : projection.initialState(aggregateId);
                            state = projection.apply(base, new ProjectedEvent(event, registry.upcasters(),
                                ProjectedEvent.payloadMapper()));
                            last = event;
                        } catch (RuntimeException e) {
                            // dead-lettered for this projection: state unchanged
                        }
                    } else if (state != null) {
                        last = event;
                    }
                }
                if (state != null) {
                    documents.put(aggregateId, ReadModelDocuments.decode(ReadModelDocuments.encode(aggregateId,
                        projection.toDocument(state), last.sequenceNo, last.eventId, last.occurredAtMillis)));
                }
            });
            expected.put(projection.name(), documents);
        }
        return expected;
    }

    /** All events of the store as stored, by aggregate, in sequence order. */
    public static Map<String, List<String>> eventIdsByAggregate(MongoCollection<BsonDocument> eventCollection) {
        Map<String, TreeMap<Long, String>> streams = new HashMap<>();
        for (BsonDocument document : eventCollection.find()) {
            streams.computeIfAbsent(document.getString(EventFields.AGGREGATE_ID).getValue(), id -> new TreeMap<>())
                .put(document.get(EventFields.SEQUENCE_NO).asNumber().longValue(), document.getString("_id").getValue());
        }
        Map<String, List<String>> result = new HashMap<>();
        streams.forEach((aggregateId, ids) -> result.put(aggregateId, List.copyOf(ids.values())));
        return result;
    }
}
