package io.eventflow.ops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.bson.BsonDocument;
import org.bson.Document;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.eventflow.core.event.EventFields;
import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.examples.orders.projections.OrderProjections;
import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;
import io.eventflow.projection.testing.CrossAggregateTester;
import io.eventflow.projection.testing.ProjectionTester;
import io.eventflow.readmodels.ReadModelAliases;
import io.eventflow.writer.codec.BsonJson;

/**
 * The operations tests' replay oracle, independent of the job's code: the Order example's projections run over the
 * stored events by the projection API's testers; their documents, encoded by the MongoDB driver, must equal the
 * stored ones field by field (and a cross-aggregate document's {@code eventCount} the number of events folded in).
 */
public final class ReadModelOracle {

    private static final Set<String> PER_AGGREGATE_FIELDS = Set.of(ReadModelFields.ID, ReadModelFields.LAST_SEQUENCE_NO,
        ReadModelFields.LAST_EVENT_ID, ReadModelFields.UPDATED_AT);
    private static final Set<String> CROSS_AGGREGATE_FIELDS = Set.of(ReadModelFields.ID, ReadModelFields.EVENT_COUNT,
        ReadModelFields.UPDATED_AT);

    private ReadModelOracle() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void assertReadModelsMatch(MongoCollection<Document> events, MongoDatabase readModels,
                                             ReadModelAliases aliases) {
        OrderProjections provider = new OrderProjections();
        Map<String, TreeMap<Long, ProjectedEvent>> streams = new HashMap<>();
        for (BsonDocument stored : events.withDocumentClass(BsonDocument.class).find(ProjectionJobFixture.POSITIONED)) {
            ProjectedEvent event = view(stored, provider);
            streams.computeIfAbsent(event.aggregateId(), id -> new TreeMap<>()).put(event.sequenceNo(), event);
        }
        for (Projection projection : provider.projections()) {
            ProjectionTester tester = ProjectionTester.of(projection);
            streams.values().forEach(stream -> stream.values().forEach(tester::given));
            Map<String, BsonDocument> stored = stored(readModels, aliases.resolve(projection.collection()));
            assertThat(stored.keySet()).as(projection.collection() + " documents").containsExactlyInAnyOrderElementsOf(
                (List<String>) tester.aggregateIds());
            for (Object id : tester.aggregateIds()) {
                assertThat(fields(stored.get(id), PER_AGGREGATE_FIELDS))
                    .as(projection.collection() + " " + id).isEqualTo(encode(tester.document((String) id)));
                assertThat(stored.get(id).getInt64(ReadModelFields.LAST_SEQUENCE_NO).getValue())
                    .isEqualTo(streams.get(id).lastKey());
            }
        }
        for (CrossAggregateProjection projection : provider.crossAggregateProjections()) {
            CrossAggregateTester tester = CrossAggregateTester.of(projection);
            streams.values().forEach(stream -> stream.values().forEach(tester::given));
            Map<String, BsonDocument> stored = stored(readModels, aliases.resolve(projection.collection()));
            assertThat(stored.keySet()).as(projection.collection() + " documents").containsExactlyInAnyOrderElementsOf(
                (List<String>) tester.keys());
            for (Object key : tester.keys()) {
                BsonDocument document = stored.get(key);
                assertThat(fields(document, CROSS_AGGREGATE_FIELDS)).as(projection.collection() + " " + key)
                    .isEqualTo(encode(tester.document((String) key)));
                assertThat(document.getInt64(ReadModelFields.EVENT_COUNT).getValue())
                    .as(projection.collection() + " " + key + " eventCount").isEqualTo(tester.eventCount((String) key));
            }
        }
    }

    private static ProjectedEvent view(BsonDocument stored, OrderProjections provider) {
        BsonDocument metadata = stored.containsKey(EventFields.METADATA) ? stored.getDocument(EventFields.METADATA) : null;
        return new ProjectedEvent(stored.getString(EventFields.EVENT_ID).getValue(),
            stored.getString(EventFields.AGGREGATE_ID).getValue(), stored.getString(EventFields.AGGREGATE_TYPE).getValue(),
            stored.getNumber(EventFields.SEQUENCE_NO).longValue(), stored.getString(EventFields.EVENT_TYPE).getValue(),
            stored.getNumber(EventFields.SCHEMA_VERSION).intValue(), stored.getDateTime(EventFields.OCCURRED_AT).getValue(),
            BsonJson.toJson(stored.getDocument(EventFields.PAYLOAD)).toString(),
            metadata == null ? null : BsonJson.toJson(metadata).toString(),
            stored.getString(EventFields.COMMIT_ID).getValue(), provider.upcasters());
    }

    private static Map<String, BsonDocument> stored(MongoDatabase readModels, String collection) {
        Map<String, BsonDocument> documents = new HashMap<>();
        for (BsonDocument document : readModels.getCollection(collection, BsonDocument.class).find()) {
            documents.put(document.getString(ReadModelFields.ID).getValue(), document);
        }
        return documents;
    }

    /** The projection's fields of a stored document, in order. */
    private static BsonDocument fields(BsonDocument document, Set<String> jobFields) {
        BsonDocument fields = new BsonDocument();
        document.forEach((name, value) -> {
            if (!jobFields.contains(name)) {
                fields.put(name, value);
            }
        });
        return fields;
    }

    private static BsonDocument encode(Map<String, Object> fields) {
        return new Document(fields).toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry());
    }

}
