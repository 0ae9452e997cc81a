package io.eventflow.devstack.mongo;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.OperationType;

/**
 * What drivers and Flink CDC rely on in change streams. Runs against the emulator and against a real MongoDB
 * replica set, so both must give the same answers.
 */
abstract class ChangeStreamContract extends MongoContract {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void eventsOfEveryKindCarryTheFieldsMongoDbSends() {
        MongoCollection<Document> orders = database.getCollection("orders");
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch()
            .fullDocument(FullDocument.UPDATE_LOOKUP).maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.insertOne(new Document("_id", 1).append("status", "new").append("qty", 1).append("note", "x"));
            orders.updateOne(eq("_id", 1), combine(set("status", "paid"), inc("qty", 2), unset("note")));
            orders.replaceOne(eq("_id", 1), new Document("status", "replaced"));
            orders.deleteOne(eq("_id", 1));

            List<ChangeStreamDocument<Document>> events = next(stream, 4);

            assertThat(events).extracting(ChangeStreamDocument::getOperationType)
                .containsExactly(OperationType.INSERT, OperationType.UPDATE, OperationType.REPLACE, OperationType.DELETE);
            for (ChangeStreamDocument<Document> event : events) {
                assertThat(event.getNamespace().getDatabaseName()).isEqualTo(database.getName());
                assertThat(event.getNamespace().getCollectionName()).isEqualTo("orders");
                assertThat(event.getDocumentKey()).isEqualTo(BsonDocument.parse("{_id: 1}"));
                assertThat(event.getClusterTime()).isNotNull();
                assertThat(event.getWallTime()).isNotNull();
                assertThat(event.getResumeToken().getString("_data").getValue()).startsWith("82");
            }
            assertThat(events).extracting(ChangeStreamDocument::getClusterTime).isSorted();
            assertThat(events.get(0).getFullDocument())
                .isEqualTo(new Document("_id", 1).append("status", "new").append("qty", 1).append("note", "x"));
            assertThat(events.get(1).getUpdateDescription().getUpdatedFields())
                .isEqualTo(BsonDocument.parse("{status: 'paid', qty: 3}"));
            assertThat(events.get(1).getUpdateDescription().getRemovedFields()).containsExactly("note");
            // updateLookup reads the document when the event is read; it has been deleted by then
            assertThat(events.get(1).getFullDocument()).isNull();
            assertThat(events.get(2).getFullDocument()).isEqualTo(new Document("_id", 1).append("status", "replaced"));
            assertThat(events.get(3).getFullDocument()).isNull();
        }
    }

    @Test
    void updateLookupReturnsTheDocumentAsItIsWhenTheEventIsRead() {
        MongoCollection<Document> orders = database.getCollection("orders");
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch()
            .fullDocument(FullDocument.UPDATE_LOOKUP).maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.insertOne(new Document("_id", 7).append("v", 1));
            orders.updateOne(eq("_id", 7), set("v", 2));
            orders.updateOne(eq("_id", 7), set("v", 3));

            List<ChangeStreamDocument<Document>> events = next(stream, 3);

            assertThat(events.get(1).getFullDocument().getInteger("v")).isEqualTo(3);
            assertThat(events.get(1).getUpdateDescription().getUpdatedFields().getInt32("v").getValue()).isEqualTo(2);
        }
    }

    @Test
    void resumeAfterContinuesRightAfterTheToken() {
        MongoCollection<Document> events = database.getCollection("events");
        BsonDocument token;
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = events.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            insertNumbered(events, 1, 5);
            List<ChangeStreamDocument<Document>> firstTwo = next(stream, 2);
            token = firstTwo.get(1).getResumeToken();
        }
        insertNumbered(events, 6, 7);

        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> resumed = events.watch().resumeAfter(token)
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            assertThat(next(resumed, 5)).extracting(event -> event.getFullDocument().getInteger("n"))
                .containsExactly(3, 4, 5, 6, 7);
            assertThat(resumed.tryNext()).isNull();
        }
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> started = events.watch().startAfter(token)
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            assertThat(next(started, 5)).extracting(event -> event.getFullDocument().getInteger("n"))
                .containsExactly(3, 4, 5, 6, 7);
        }
    }

    @Test
    void theTokenOfAnInvalidateStartsANewStreamButCannotBeResumedAfter() {
        MongoCollection<Document> orders = database.getCollection("orders");
        orders.insertOne(new Document("_id", 1));
        BsonDocument invalidateToken;
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.drop();
            List<ChangeStreamDocument<Document>> events = next(stream, 2);
            assertThat(events.get(1).getOperationType()).isEqualTo(OperationType.INVALIDATE);
            invalidateToken = events.get(1).getResumeToken();
        }

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> orders.watch().resumeAfter(invalidateToken).cursor())
            .isInstanceOf(com.mongodb.MongoCommandException.class)
            .satisfies(e -> assertThat(((com.mongodb.MongoCommandException) e).getErrorCode()).isEqualTo(260));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> after = orders.watch().startAfter(invalidateToken)
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.insertOne(new Document("_id", 2));
            assertThat(next(after, 1).get(0).getDocumentKey()).isEqualTo(BsonDocument.parse("{_id: 2}"));
        }
    }

    @Test
    void startAtOperationTimeIncludesThatTime() {
        MongoCollection<Document> events = database.getCollection("events");
        insertNumbered(events, 1, 2);
        BsonTimestamp third;
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = events.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            insertNumbered(events, 3, 5);
            third = next(stream, 1).get(0).getClusterTime();
        }
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> fromThird = events.watch()
            .startAtOperationTime(third).maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            assertThat(next(fromThird, 3)).extracting(event -> event.getFullDocument().getInteger("n"))
                .containsExactly(3, 4, 5);
        }
    }

    @Test
    void postBatchResumeTokenMovesPastWritesToOtherCollections() {
        MongoCollection<Document> watched = database.getCollection("watched");
        MongoCollection<Document> other = database.getCollection("other");
        watched.insertOne(new Document("n", 0));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = watched.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            assertThat(stream.tryNext()).isNull();
            BsonDocument before = stream.getResumeToken();
            other.insertOne(new Document("n", 1));
            assertThat(stream.tryNext()).isNull();
            BsonDocument after = stream.getResumeToken();

            assertThat(before).isNotNull();
            assertThat(after.getString("_data").getValue()).isGreaterThan(before.getString("_data").getValue());

            watched.insertOne(new Document("n", 2));
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> resumed = watched.watch().resumeAfter(after)
                .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
                assertThat(next(resumed, 1).get(0).getFullDocument().getInteger("n")).isEqualTo(2);
            }
        }
    }

    @Test
    void databaseAndClusterStreamsSeeEveryCollection() {
        MongoCollection<Document> a = database.getCollection("a");
        MongoCollection<Document> b = database.getCollection("b");
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> databaseStream = database.watch()
                .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor();
             MongoChangeStreamCursor<ChangeStreamDocument<Document>> clusterStream = client.watch(
                     List.of(Aggregates.match(Filters.eq("ns.db", database.getName()))))
                 .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            a.insertOne(new Document("_id", "in-a"));
            b.insertOne(new Document("_id", "in-b"));

            assertThat(next(databaseStream, 2)).extracting(event -> event.getNamespace().getCollectionName())
                .containsExactly("a", "b");
            assertThat(next(clusterStream, 2)).extracting(event -> event.getDocumentKey().getString("_id").getValue())
                .containsExactly("in-a", "in-b");
        }
    }

    @Test
    void droppingTheCollectionInvalidatesItsStream() {
        MongoCollection<Document> doomed = database.getCollection("doomed");
        doomed.insertOne(new Document("_id", 1));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = doomed.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            doomed.drop();
            List<ChangeStreamDocument<Document>> events = next(stream, 2);
            assertThat(events).extracting(ChangeStreamDocument::getOperationType)
                .containsExactly(OperationType.DROP, OperationType.INVALIDATE);
        }
    }

    @Test
    void aCommittedTransactionsEventsArriveTogetherInStatementOrder() {
        MongoCollection<Document> events = database.getCollection("events");
        events.insertOne(new Document("_id", "before"));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = events.watch()
                 .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor();
             ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, new Document("_id", "t1"));
            events.insertOne(session, new Document("_id", "t2"));
            events.insertOne(session, new Document("_id", "t3"));
            session.commitTransaction();
            events.insertOne(new Document("_id", "after"));

            List<ChangeStreamDocument<Document>> received = next(stream, 4);

            assertThat(received).extracting(event -> event.getDocumentKey().getString("_id").getValue())
                .containsExactly("t1", "t2", "t3", "after");
            assertThat(received.subList(0, 3)).allSatisfy(event -> {
                assertThat(event.getTxnNumber()).isNotNull();
                assertThat(event.getLsid()).isNotNull();
                assertThat(event.getClusterTime()).isEqualTo(received.get(0).getClusterTime());
            });
            assertThat(received.get(3).getTxnNumber()).isNull();
            assertThat(received.get(3).getClusterTime()).isGreaterThan(received.get(0).getClusterTime());
        }
    }

    static void insertNumbered(MongoCollection<Document> collection, int from, int to) {
        for (int n = from; n <= to; n++) {
            collection.insertOne(new Document("n", n));
        }
    }

    @Test
    void preAndPostImagesAreReportedOnceTheCollectionKeepsThem() {
        MongoCollection<Document> orders = database.getCollection("orders");
        orders.insertOne(new Document("_id", 1).append("status", "new"));
        database.runCommand(new Document("collMod", "orders")
            .append("changeStreamPreAndPostImages", new Document("enabled", true)));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch()
            .fullDocument(FullDocument.WHEN_AVAILABLE)
            .fullDocumentBeforeChange(com.mongodb.client.model.changestream.FullDocumentBeforeChange.REQUIRED)
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.updateOne(eq("_id", 1), set("status", "paid"));
            orders.deleteOne(eq("_id", 1));

            List<ChangeStreamDocument<Document>> events = next(stream, 2);

            assertThat(events.get(0).getFullDocumentBeforeChange()).isEqualTo(new Document("_id", 1).append("status", "new"));
            assertThat(events.get(0).getFullDocument()).isEqualTo(new Document("_id", 1).append("status", "paid"));
            assertThat(events.get(1).getFullDocumentBeforeChange()).isEqualTo(new Document("_id", 1).append("status", "paid"));
        }
    }

    @Test
    void aPipelineThatDropsTheResumeTokenEndsTheStreamWithANonResumableError() {
        MongoCollection<Document> orders = database.getCollection("orders");
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders
            .watch(List.of(Aggregates.project(new Document("_id", 0))))
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.insertOne(new Document("_id", 1));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> next(stream, 1))
                .isInstanceOf(com.mongodb.MongoException.class)
                .satisfies(e -> {
                    assertThat(((com.mongodb.MongoException) e).getCode()).isEqualTo(280);
                    assertThat(((com.mongodb.MongoException) e).hasErrorLabel("NonResumableChangeStreamError")).isTrue();
                });
        }
    }

    @Test
    void anUnknownStageInAChangeStreamPipelineIsRejectedWith40324() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> database.getCollection("orders")
                .watch(List.of(new Document("$unsupported", "x"))).cursor())
            .isInstanceOf(com.mongodb.MongoCommandException.class)
            .satisfies(e -> assertThat(((com.mongodb.MongoCommandException) e).getErrorCode()).isEqualTo(40324));
    }

    @Test
    void shorteningAnArrayIsReportedAsTruncatedNotAsANewValue() {
        MongoCollection<Document> orders = database.getCollection("orders");
        orders.insertOne(new Document("_id", 1).append("items", List.of("a", "b", "c")));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch()
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.updateOne(eq("_id", 1), List.of(new Document("$set", new Document("items", List.of("a")))));

            var description = next(stream, 1).get(0).getUpdateDescription();

            assertThat(description.getUpdatedFields()).isEqualTo(new BsonDocument());
            assertThat(description.getTruncatedArrays()).hasSize(1);
            assertThat(description.getTruncatedArrays().get(0).getField()).isEqualTo("items");
            assertThat(description.getTruncatedArrays().get(0).getNewSize()).isEqualTo(1);
        }
    }

    @Test
    void withExpandedEventsIndexChangesAreReported() {
        MongoCollection<Document> orders = database.getCollection("orders");
        orders.insertOne(new Document("_id", 1));
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = orders.watch().showExpandedEvents(true)
            .maxAwaitTime(200, TimeUnit.MILLISECONDS).cursor()) {
            orders.createIndex(new Document("status", 1));
            orders.dropIndex("status_1");

            assertThat(next(stream, 2)).extracting(ChangeStreamDocument::getOperationTypeString)
                .containsExactly("createIndexes", "dropIndexes");
        }
    }

    static <T> List<T> next(MongoChangeStreamCursor<T> stream, int count) {
        List<T> events = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.size() < count) {
            T event = stream.tryNext();
            if (event != null) {
                events.add(event);
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " change events within " + WAIT + ", got " + events);
            }
        }
        return events;
    }
}
