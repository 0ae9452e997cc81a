package io.eventflow.devstack.mongo;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/** Multi-document transactions as the event writer uses them. Runs against the emulator and a real MongoDB. */
abstract class TransactionContract extends MongoContract {

    private MongoCollection<Document> events;

    @BeforeEach
    void createEventStore() {
        events = database.getCollection("events");
        events.createIndex(Indexes.ascending("aggregateId", "sequenceNo"), new IndexOptions().unique(true));
    }

    @Test
    void writesBecomeVisibleToOthersOnlyAtCommitAndAllAtOnce() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, event("a", 1));
            events.insertOne(session, event("a", 2));

            assertThat(events.countDocuments()).isZero();
            assertThat(events.find(session, eq("aggregateId", "a")).into(new java.util.ArrayList<>())).hasSize(2);
            assertThat(events.countDocuments(session, eq("aggregateId", "a"))).isEqualTo(2);

            session.commitTransaction();
        }
        assertThat(events.countDocuments(eq("aggregateId", "a"))).isEqualTo(2);
    }

    @Test
    void abortDiscardsEverything() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertMany(session, List.of(event("a", 1), event("a", 2)));
            session.abortTransaction();
        }
        assertThat(events.countDocuments()).isZero();
    }

    @Test
    void aDuplicateKeyFailsTheTransactionWith11000AndLeavesNothingBehind() {
        events.insertOne(event("a", 1));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            assertThatThrownBy(() -> events.insertMany(session, List.of(event("a", 2), event("a", 3), event("a", 1))))
                .isInstanceOf(MongoBulkWriteException.class)
                .satisfies(e -> assertThat(((MongoBulkWriteException) e).getWriteErrors().get(0).getCode()).isEqualTo(11000));
            assertThatThrownBy(session::commitTransaction)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(251));
        }
        assertThat(events.find().map(d -> d.getLong("sequenceNo")).into(new java.util.ArrayList<>())).containsExactly(1L);
    }

    @Test
    void aDuplicateOfTheTransactionsOwnInsertFailsWith11000() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, event("a", 1));
            assertThatThrownBy(() -> events.insertOne(session, event("a", 1)))
                .isInstanceOf(MongoWriteException.class)
                .satisfies(e -> assertThat(((MongoWriteException) e).getCode()).isEqualTo(11000));
        }
        assertThat(events.countDocuments()).isZero();
    }

    @Test
    void twoOpenTransactionsRacingForOneKeyConflictAndOnlyOneCommits() {
        try (ClientSession first = client.startSession(); ClientSession second = client.startSession()) {
            first.startTransaction();
            second.startTransaction();
            events.insertOne(first, event("a", 1));

            assertThatThrownBy(() -> events.insertOne(second, event("a", 1)))
                .isInstanceOf(MongoCommandException.class)
                .satisfies(e -> {
                    MongoCommandException error = (MongoCommandException) e;
                    assertThat(error.getErrorCode()).isEqualTo(112);
                    assertThat(error.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)).isTrue();
                });
            first.commitTransaction();
        }
        assertThat(events.countDocuments(eq("aggregateId", "a"))).isEqualTo(1);
    }

    @Test
    void aCommittedCommitCanBeRetried() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.insertOne(session, event("a", 1));
            session.commitTransaction();
            session.commitTransaction();
        }
        assertThat(events.countDocuments()).isEqualTo(1);
    }

    @Test
    void killAllSessionsAbortsOpenTransactionsAndFreesTheKeysTheyHeld() {
        try (ClientSession abandoned = client.startSession(); ClientSession next = client.startSession()) {
            abandoned.startTransaction();
            events.insertOne(abandoned, event("a", 1));

            client.getDatabase("admin").runCommand(new Document("killAllSessions", List.of()));

            next.startTransaction();
            events.insertOne(next, event("a", 1));
            next.commitTransaction();
            assertThatThrownBy(abandoned::commitTransaction).isInstanceOf(MongoException.class);
        }
        assertThat(events.countDocuments(eq("aggregateId", "a"))).isEqualTo(1);
    }

    @Test
    void updatesAndDeletesInsideATransactionAreSeenByItAndByOthersOnlyAfterCommit() {
        events.insertMany(List.of(event("a", 1), event("a", 2), event("a", 3)));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            events.updateOne(session, eq("_id", "a-1"), new Document("$set", new Document("status", "seen")));
            events.deleteOne(session, eq("_id", "a-2"));
            Document claimed = events.findOneAndUpdate(session, eq("_id", "a-3"),
                new Document("$inc", new Document("sequenceNo", 10)),
                new com.mongodb.client.model.FindOneAndUpdateOptions()
                    .returnDocument(com.mongodb.client.model.ReturnDocument.AFTER));

            assertThat(claimed.getLong("sequenceNo")).isEqualTo(13L);
            assertThat(events.find(session).into(new java.util.ArrayList<>()))
                .extracting(document -> document.getString("_id")).containsExactlyInAnyOrder("a-1", "a-3");
            assertThat(events.find(session, eq("_id", "a-1")).first()).containsEntry("status", "seen");
            assertThat(events.distinct(session, "sequenceNo", new Document(), Long.class).into(new java.util.ArrayList<>()))
                .containsExactlyInAnyOrder(1L, 13L);
            assertThat(events.countDocuments()).isEqualTo(3);
            assertThat(events.find(eq("_id", "a-1")).first()).doesNotContainKey("status");

            session.commitTransaction();
        }
        assertThat(events.find().into(new java.util.ArrayList<>()))
            .extracting(document -> document.getString("_id") + ":" + document.getLong("sequenceNo"))
            .containsExactlyInAnyOrder("a-1:1", "a-3:13");
        assertThat(events.find(eq("_id", "a-1")).first()).containsEntry("status", "seen");
    }

    @Test
    void aTransactionsFindReturnsALargeResultInBatches() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            for (long sequenceNo = 1; sequenceNo <= 7; sequenceNo++) {
                events.insertOne(session, event("a", sequenceNo));
            }
            assertThat(events.find(session).batchSize(2).into(new java.util.ArrayList<>())).hasSize(7);
            session.commitTransaction();
        }
    }

    @Test
    void aCommitWithAWriteConcernOneNodeCannotSatisfyIsAppliedAndReportsAWriteConcernError() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction(com.mongodb.TransactionOptions.builder()
                .writeConcern(new com.mongodb.WriteConcern(10)).build());
            events.insertOne(session, event("a", 1));
            assertThatThrownBy(session::commitTransaction)
                .isInstanceOf(MongoException.class)
                .satisfies(e -> assertThat(((MongoException) e).getCode()).isEqualTo(100));
        }
        assertThat(events.countDocuments()).isEqualTo(1);
    }

    @Test
    void aTransactionReadsTheDataAsOfItsFirstStatement() {
        events.insertOne(event("a", 1));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            assertThat(events.countDocuments(session)).isEqualTo(1);

            events.insertOne(event("a", 2));
            events.updateOne(eq("_id", "a-1"), new Document("$set", new Document("changed", true)));

            assertThat(events.countDocuments(session)).isEqualTo(1);
            assertThat(events.find(session, eq("_id", "a-1")).first()).doesNotContainKey("changed");
            session.commitTransaction();
        }
        assertThat(events.countDocuments()).isEqualTo(2);
    }

    @Test
    void writingADocumentChangedAfterTheTransactionsSnapshotIsAWriteConflict() {
        events.insertOne(event("a", 1));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            assertThat(events.find(session, eq("_id", "a-1")).first()).isNotNull();
            events.updateOne(eq("_id", "a-1"), new Document("$set", new Document("by", "other")));

            assertThatThrownBy(() -> events.updateOne(session, eq("_id", "a-1"), new Document("$set", new Document("by", "me"))))
                .isInstanceOf(MongoCommandException.class)
                .satisfies(e -> {
                    assertThat(((MongoCommandException) e).getErrorCode()).isEqualTo(112);
                    assertThat(((MongoCommandException) e).hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)).isTrue();
                });
        }
        assertThat(events.find(eq("_id", "a-1")).first()).containsEntry("by", "other");
    }

    static Document event(String aggregateId, long sequenceNo) {
        return new Document("_id", aggregateId + "-" + sequenceNo)
            .append("aggregateId", aggregateId)
            .append("sequenceNo", sequenceNo);
    }
}
