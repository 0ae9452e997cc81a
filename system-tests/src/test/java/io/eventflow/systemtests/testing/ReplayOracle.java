package io.eventflow.systemtests.testing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.eventflow.core.event.EventFields;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.readmodel.ReadModelDocuments;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;
import io.eventflow.projection.testing.CrossAggregateTester;
import io.eventflow.projection.testing.ProjectionTester;

/**
 * What the read models must be: every aggregate's stream, read from the event store in order and folded through the
 * same projections by the projection API's testers, single-threaded, with no Flink involved. The testers apply the
 * job's rules for failing user code on their own (an event that fails is left out, the state is folded again from
 * the start), so the oracle does not share the job's mini-batch and recovery code.
 */
public final class ReplayOracle {

    private ReplayOracle() {
    }

    /** One position of an aggregate's stream: an event, or an event dead-lettered at the source. */
    private record Position(EventEnvelope event, ProjectedEvent view) {
    }

    /** collection -> document id -> expected document, for every projection of the registry. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Map<String, Map<String, BsonDocument>> expectedReadModels(MongoCollection<BsonDocument> eventCollection,
                                                                           ProjectionRegistry registry) {
        Map<String, TreeMap<Long, Position>> streams = streams(eventCollection, registry);
        Map<String, Map<String, BsonDocument>> expected = new LinkedHashMap<>();
        for (Projection projection : registry.projections()) {
            ProjectionTester tester = ProjectionTester.of(projection, fields -> ReadModelDocuments.encode("check",
                (Map<String, ?>) fields, 1, "check", 0));
            Map<String, BsonDocument> documents = new HashMap<>();
            streams.forEach((aggregateId, stream) -> {
                EventEnvelope last = null;
                for (Position position : stream.values()) {
                    if (position.view() != null) {
                        tester.given(position.view());
                        if (tester.state(aggregateId) != null) {
                            last = position.event();
                        }
                    } else if (tester.state(aggregateId) != null) {
                        // a placeholder moves an existing read model past its position, keeping the time
                        EventEnvelope placeholder = position.event();
                        placeholder.occurredAtMillis = last.occurredAtMillis;
                        last = placeholder;
                    }
                }
                if (tester.state(aggregateId) != null) {
                    documents.put(aggregateId, ReadModelDocuments.decode(ReadModelDocuments.encode(aggregateId,
                        tester.document(aggregateId), last.sequenceNo, last.eventId, last.occurredAtMillis)));
                }
            });
            expected.put(projection.collection(), documents);
        }
        for (CrossAggregateProjection projection : registry.crossAggregateProjections()) {
            CrossAggregateTester tester = CrossAggregateTester.of(projection, fields ->
                ReadModelDocuments.encodeCrossAggregate("check", (Map<String, ?>) fields, 0, 0));
            streams.values().forEach(stream -> stream.values().stream().filter(position -> position.view() != null)
                .forEach(position -> tester.given(position.view())));
            Map<String, BsonDocument> documents = new HashMap<>();
            for (Object key : tester.keys()) {
                String id = (String) key;
                documents.put(id, ReadModelDocuments.decode(ReadModelDocuments.encodeCrossAggregate(id,
                    tester.document(id), tester.eventCount(id), tester.updatedAt(id))));
            }
            expected.put(projection.collection(), documents);
        }
        return expected;
    }

    private static Map<String, TreeMap<Long, Position>> streams(MongoCollection<BsonDocument> eventCollection,
                                                               ProjectionRegistry registry) {
        EventDocumentReader reader = new EventDocumentReader(Integer.MAX_VALUE);
        Map<String, TreeMap<Long, Position>> streams = new LinkedHashMap<>();
        for (BsonDocument document : eventCollection.find()) {
            EventDocumentReader.Result result = reader.read(document, 0, false);
            if (result instanceof EventDocumentReader.Valid valid) {
                EventEnvelope event = valid.event();
                streams.computeIfAbsent(event.aggregateId, id -> new TreeMap<>()).put(event.sequenceNo,
                    new Position(event, ProjectionFailures.view(event, registry.upcasters())));
            } else if (result instanceof EventDocumentReader.Invalid invalid && invalid.hasPosition()) {
                EventEnvelope placeholder = EventEnvelope.placeholder(invalid.aggregateId(), invalid.sequenceNo(),
                    invalid.eventId(), 0, false);
                streams.computeIfAbsent(invalid.aggregateId(), id -> new TreeMap<>()).put(invalid.sequenceNo(),
                    new Position(placeholder, null));
            }
        }
        return streams;
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
