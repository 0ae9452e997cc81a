package io.eventflow.devstack.mongo;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.bson.types.MaxKey;
import org.bson.types.MinKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * The queries the event writer and the projection job depend on: a stream's head, ranges of a stream in either
 * direction, and the {@code min}/{@code max} reads of Flink CDC's snapshot splits. Runs against the emulator and a
 * real MongoDB.
 */
abstract class QueryContract extends MongoContract {

    private MongoCollection<Document> events;

    @BeforeEach
    void fillEventStore() {
        events = database.getCollection("events");
        events.createIndex(Indexes.ascending("aggregateId", "sequenceNo"), new IndexOptions().unique(true));
        List<Document> documents = new ArrayList<>();
        for (String aggregate : List.of("a", "b", "c")) {
            for (long sequenceNo = 1; sequenceNo <= 50; sequenceNo++) {
                documents.add(new Document("_id", aggregate + "-" + sequenceNo).append("aggregateId", aggregate)
                    .append("sequenceNo", sequenceNo));
            }
        }
        events.insertMany(documents);
    }

    @Test
    void theHeadOfAStreamIsItsHighestSequenceNo() {
        Document head = events.find(eq("aggregateId", "b")).sort(descending("sequenceNo")).limit(1).first();
        assertThat(head.getLong("sequenceNo")).isEqualTo(50L);
        assertThat(events.find(eq("aggregateId", "none")).sort(descending("sequenceNo")).limit(1).first()).isNull();
    }

    @Test
    void aRangeOfAStreamComesBackInOrderInEitherDirection() {
        assertThat(sequenceNos(events.find(and(eq("aggregateId", "a"), gte("sequenceNo", 10L))).sort(ascending("sequenceNo")).limit(5)))
            .containsExactly(10L, 11L, 12L, 13L, 14L);
        assertThat(sequenceNos(events.find(and(eq("aggregateId", "c"), lte("sequenceNo", 20L))).sort(descending("sequenceNo")).limit(3)))
            .containsExactly(20L, 19L, 18L);
        assertThat(sequenceNos(events.find(and(eq("aggregateId", "a"), gt("sequenceNo", 47L), lte("sequenceNo", 49L))).sort(ascending("sequenceNo"))))
            .containsExactly(48L, 49L);
        assertThat(events.countDocuments(and(eq("aggregateId", "b"), gt("sequenceNo", 40L)))).isEqualTo(10);
    }

    @Test
    void minAndMaxWithAHintSelectAHalfOpenKeyRange() {
        List<String> ids = events.find().hint(new Document("_id", 1))
            .min(new Document("_id", "b-1")).max(new Document("_id", "b-2")).map(d -> d.getString("_id"))
            .into(new ArrayList<>());
        assertThat(ids).isNotEmpty().allMatch(id -> id.compareTo("b-1") >= 0 && id.compareTo("b-2") < 0).doesNotContain("b-2");

        long all = events.find().hint(new Document("_id", 1))
            .min(new Document("_id", new MinKey())).max(new Document("_id", new MaxKey())).into(new ArrayList<>()).size();
        assertThat(all).isEqualTo(150);
    }

    private static List<Long> sequenceNos(Iterable<Document> documents) {
        List<Long> result = new ArrayList<>();
        documents.forEach(document -> result.add(document.getLong("sequenceNo")));
        return result;
    }

    @Test
    void anUnacknowledgedWriteIsAppliedAndTheConnectionStaysUsable() {
        events.withWriteConcern(com.mongodb.WriteConcern.UNACKNOWLEDGED)
            .insertOne(new Document("_id", "fire-and-forget").append("aggregateId", "w0").append("sequenceNo", 1L));

        io.eventflow.devstack.testing.Await.until("the unacknowledged insert", java.time.Duration.ofSeconds(10),
            () -> events.countDocuments(eq("aggregateId", "w0")) == 1,
            () -> "count " + events.countDocuments(eq("aggregateId", "w0")));
        assertThat(events.find(eq("_id", "fire-and-forget")).first()).isNotNull();
    }

    @Test
    void anAggregationReturnsItsResultInBatchesOfTheRequestedSize() {
        java.util.concurrent.atomic.AtomicInteger getMores = new java.util.concurrent.atomic.AtomicInteger();
        com.mongodb.MongoClientSettings settings = com.mongodb.MongoClientSettings.builder()
            .applyConnectionString(new com.mongodb.ConnectionString(target().connectionString()))
            .addCommandListener(new com.mongodb.event.CommandListener() {
                @Override
                public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
                    if (event.getCommandName().equals("getMore")) {
                        getMores.incrementAndGet();
                    }
                }
            })
            .build();
        try (com.mongodb.client.MongoClient counting = com.mongodb.client.MongoClients.create(settings)) {
            List<Document> stream = counting.getDatabase(database.getName()).getCollection("events")
                .aggregate(List.of(new Document("$match", new Document("aggregateId", "a"))))
                .batchSize(20).into(new ArrayList<>());

            assertThat(stream).hasSize(50);
            assertThat(getMores).hasValueGreaterThanOrEqualTo(2);
        }
    }
}
