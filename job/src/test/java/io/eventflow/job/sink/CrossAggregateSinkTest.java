package io.eventflow.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.readmodel.ReadModelDocuments;

/** The two-phase-commit sink of cross-aggregate documents: what the writer hands over, and what the committer writes. */
class CrossAggregateSinkTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    private static final CrossAggregateCommitter.Settings SETTINGS = new CrossAggregateCommitter.Settings(3,
        Duration.ofMillis(10), 2);

    private MongoClient client;
    private MongoDatabase database;
    private CrossAggregateCommitter committer;

    @BeforeEach
    void connect() {
        client = MongoClients.create(MONGO.connectionString());
        String name = "rm_" + System.nanoTime();
        database = client.getDatabase(name);
        committer = new CrossAggregateCommitter(new MongoConnection(MONGO.connectionString(), null, null), name, SETTINGS,
            new UnregisteredMetricsGroup());
    }

    @AfterEach
    void disconnect() {
        committer.close();
        database.drop();
        client.close();
    }

    @Test
    void theWriterHandsOverTheNewestVersionOfEachDocumentWithAllItsSourcesOncePerCheckpoint() throws Exception {
        CrossAggregateSink.Writer writer = new CrossAggregateSink.Writer(Map.of("per-category", "per_category_v2"));
        writer.write(update("books", 1, 10, "a1", 1), null);
        writer.write(update("books", 2, 20, "a2", 4), null);
        writer.write(update("books", 3, 30, "a1", 2), null);
        writer.write(update("pens", 1, 5, "a1", 1), null);

        Collection<CrossAggregateBatch> batches = writer.prepareCommit();

        assertThat(batches).hasSize(1);
        List<CrossAggregateBatch.Write> writes = batches.iterator().next().writes();
        assertThat(writes).extracting(write -> write.collection() + "/" + write.documentKey() + "@" + write.eventCount())
            .containsExactlyInAnyOrder("per_category_v2/books@3", "per_category_v2/pens@1");
        CrossAggregateBatch.Write books = writes.stream().filter(write -> write.documentKey().equals("books")).findFirst()
            .orElseThrow();
        assertThat(ReadModelDocuments.decode(books.document()).getInt64("total").getValue()).isEqualTo(30);
        assertThat(List.of(books.sourceAggregates())).containsExactly("a1", "a2");
        assertThat(books.sourceSequenceNos()).containsExactly(2, 4);
        assertThat(writer.prepareCommit()).as("handed over once").isEmpty();
    }

    @Test
    void aBatchSurvivesItsSerializer() throws Exception {
        CrossAggregateBatch batch = new CrossAggregateBatch(List.of(
            new CrossAggregateBatch.Write("c", "k".repeat(70_000), 7, new byte[] {1, 2, 3}, new String[] {"a1"},
                new long[] {9}),
            new CrossAggregateBatch.Write("c", "empty", 0, null, new String[0], new long[0])));
        CrossAggregateBatch.Serializer serializer = new CrossAggregateBatch.Serializer();

        CrossAggregateBatch back = serializer.deserialize(1, serializer.serialize(batch));

        assertThat(back.writes()).hasSize(2);
        assertThat(back.writes().get(0).documentKey()).hasSize(70_000);
        assertThat(back.writes().get(0).document()).containsExactly(1, 2, 3);
        assertThat(back.writes().get(0).sourceSequenceNos()).containsExactly(9);
        assertThat(back.writes().get(1).document()).isNull();
    }

    @Test
    void committingWritesDocumentsGuardedByTheirCountAndPositionsThatOnlyGrow() throws Exception {
        CrossAggregateBatch first = batch(write("books", 2, 20, "a1", 3));
        CrossAggregateBatch second = batch(write("books", 5, 50, "a2", 1));

        commit(first);
        commit(second);
        commit(first); // replayed after a restore: changes nothing
        commit(second);

        Document books = database.getCollection("per_category").find().first();
        assertThat(books).containsEntry("_id", "books").containsEntry("total", 50L).containsEntry("eventCount", 5L);
        assertThat(database.getCollection("per_category").countDocuments()).isEqualTo(1);
        List<String> applied = new ArrayList<>();
        database.getCollection("per_category.applied").find().forEach(position -> applied.add(
            position.get("_id", Document.class).getString("k") + "/" + position.get("_id", Document.class).getString("a")
                + "@" + position.getLong("s")));
        assertThat(applied).containsExactlyInAnyOrder("books/a1@3", "books/a2@1");
    }

    @Test
    void aDocumentWithoutStateStillRecordsItsSources() throws Exception {
        commit(batch(new CrossAggregateBatch.Write("per_category", "books", 0, null, new String[] {"a1"}, new long[] {1})));

        assertThat(database.getCollection("per_category").countDocuments()).isZero();
        assertThat(database.getCollection("per_category.applied").countDocuments()).isEqualTo(1);
    }

    @Test
    void passingFailuresAreRetriedAndThenHandedBackToFlink() throws Exception {
        MONGO.server().failCommand(FailCommand.on("update").times(2).errorCode(112).build());
        assertThat(commit(batch(write("books", 1, 10, "a1", 1)))).as("retried within the commit").isFalse();
        assertThat(database.getCollection("per_category").countDocuments()).isEqualTo(1);

        MONGO.server().failCommand(FailCommand.on("update").times(3).errorCode(112).build());
        assertThat(commit(batch(write("pens", 1, 10, "a1", 1)))).as("handed back for later").isTrue();
        assertThat(commit(batch(write("pens", 1, 10, "a1", 1)))).isFalse();
        assertThat(database.getCollection("per_category").countDocuments()).isEqualTo(2);
    }

    /** Commits one batch; true if the committer asked Flink to retry it later. */
    private boolean commit(CrossAggregateBatch batch) throws Exception {
        Request request = new Request(batch);
        committer.commit(List.of(request));
        return request.retryLater;
    }

    private static CrossAggregateBatch batch(CrossAggregateBatch.Write... writes) {
        return new CrossAggregateBatch(List.of(writes));
    }

    private static CrossAggregateBatch.Write write(String key, long eventCount, long total, String aggregate, long sequenceNo) {
        return new CrossAggregateBatch.Write("per_category", key, eventCount,
            ReadModelDocuments.encodeCrossAggregate(key, Map.of("total", total), eventCount, 0),
            new String[] {aggregate}, new long[] {sequenceNo});
    }

    private static CrossAggregateUpdate update(String key, long eventCount, long total, String aggregate, long sequenceNo) {
        CrossAggregateUpdate update = new CrossAggregateUpdate();
        update.projection = "per-category";
        update.documentKey = key;
        update.eventCount = eventCount;
        update.document = ReadModelDocuments.encodeCrossAggregate(key, Map.of("total", total), eventCount, 0);
        update.sourceAggregates = new String[] {aggregate};
        update.sourceSequenceNos = new long[] {sequenceNo};
        return update;
    }

    private static final class Request implements Committer.CommitRequest<CrossAggregateBatch> {
        private final CrossAggregateBatch batch;
        boolean retryLater;

        Request(CrossAggregateBatch batch) {
            this.batch = batch;
        }

        public CrossAggregateBatch getCommittable() {
            return batch;
        }

        public int getNumberOfRetries() {
            return 0;
        }

        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError("the committer must not fail the job", t);
        }

        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError("the committer must not fail the job", t);
        }

        public void retryLater() {
            retryLater = true;
        }

        public void updateAndRetryLater(CrossAggregateBatch committable) {
            retryLater = true;
        }

        public void signalAlreadyCommitted() {
        }
    }
}
