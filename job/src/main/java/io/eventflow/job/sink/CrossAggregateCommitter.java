package io.eventflow.job.sink;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.job.mongo.MongoConnection;

/**
 * Writes committed cross-aggregate batches: first every document, with an upsert guarded by its {@code eventCount}
 * (so a batch written twice, or an older batch after a newer one, changes nothing), then the applied positions of the
 * sources, with {@code $max} (so they only grow). Positions come second so that a reader who sees one also sees the
 * document it belongs to.
 *
 * <p>A batch that cannot be written for a reason that passes (a network error, no primary, a write conflict) is
 * retried after a pause and then handed back to Flink for later ({@code retryLater}, which fails the job after Flink's
 * {@code sink.committer.retries}; the restored job commits the batch again). A document MongoDB refuses for good (a
 * validation rule of the collection, say) is logged and counted, and the batch goes on: data must not restart-loop
 * the job.
 */
public final class CrossAggregateCommitter implements Committer<CrossAggregateBatch> {

    private static final Logger log = LoggerFactory.getLogger(CrossAggregateCommitter.class);
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final int DUPLICATE_KEY = 11000;

    /** How the committer retries. */
    public record Settings(int attempts, Duration pause, int batchSize) implements Serializable {
    }

    private final MongoClient client;
    private final MongoDatabase database;
    private final Settings settings;
    private final Counter committed;
    private final Counter retries;
    private final Counter rejected;

    CrossAggregateCommitter(MongoConnection connection, String database, Settings settings, MetricGroup metrics) {
        this.client = connection.connect("eventflow-cross-aggregate-committer");
        this.database = client.getDatabase(database);
        this.settings = settings;
        this.committed = metrics.counter(JobMetrics.DOCUMENTS_COMMITTED);
        this.retries = metrics.counter(JobMetrics.COMMIT_RETRIES);
        this.rejected = metrics.counter("documentsRejected");
    }

    @Override
    public void commit(Collection<CommitRequest<CrossAggregateBatch>> requests) throws InterruptedException {
        for (CommitRequest<CrossAggregateBatch> request : requests) {
            if (!commitWithRetries(request.getCommittable(), request.getNumberOfRetries())) {
                retries.inc();
                request.retryLater();
            }
        }
    }

    private boolean commitWithRetries(CrossAggregateBatch batch, int earlierRetries) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch);
                return true;
            } catch (MongoException e) {
                if (attempt >= settings.attempts()) {
                    log.warn("writing {} cross-aggregate documents failed {} times ({} earlier retries): {}; Flink "
                        + "retries the batch later", batch.writes().size(), attempt, earlierRetries, describe(e));
                    return false;
                }
                log.info("writing {} cross-aggregate documents failed ({}); retrying in {}", batch.writes().size(),
                    describe(e), settings.pause());
                TimeUnit.MILLISECONDS.sleep(settings.pause().toMillis());
            }
        }
    }

    /** What MongoDB said, in one line: the error's code and message, without the full server response. */
    private static String describe(MongoException error) {
        String message = error instanceof MongoCommandException command ? command.getErrorMessage() : error.getMessage();
        return error.getClass().getSimpleName() + " " + error.getCode() + ": " + (message == null ? "" : message.lines()
            .findFirst().orElse(""));
    }

    /** Writes one batch: documents first, then positions; idempotent. */
    void write(CrossAggregateBatch batch) {
        Map<String, List<WriteModel<BsonDocument>>> documents = new LinkedHashMap<>();
        Map<String, List<WriteModel<BsonDocument>>> positions = new LinkedHashMap<>();
        Date now = new Date();
        for (CrossAggregateBatch.Write write : batch.writes()) {
            if (write.document() != null) {
                documents.computeIfAbsent(write.collection(), c -> new ArrayList<>()).add(new UpdateOneModel<>(
                    Filters.eq(ReadModelFields.ID, write.documentKey()),
                    VersionGuardedUpsert.guardedReplacement(new RawBsonDocument(write.document()),
                        ReadModelFields.EVENT_COUNT, write.eventCount()), UPSERT));
            }
            List<WriteModel<BsonDocument>> applied = positions.computeIfAbsent(
                ReadModelFields.appliedCollection(write.collection()), c -> new ArrayList<>());
            for (int i = 0; i < write.sourceAggregates().length; i++) {
                Bson id = Filters.eq(ReadModelFields.ID, new BsonDocument(ReadModelFields.APPLIED_KEY,
                    new org.bson.BsonString(write.documentKey())).append(ReadModelFields.APPLIED_AGGREGATE,
                    new org.bson.BsonString(write.sourceAggregates()[i])));
                applied.add(new UpdateOneModel<>(id, Updates.combine(
                    Updates.max(ReadModelFields.APPLIED_SEQUENCE_NO, write.sourceSequenceNos()[i]),
                    Updates.set(ReadModelFields.APPLIED_AT, now)), UPSERT));
            }
        }
        documents.forEach(this::bulkWrite);
        positions.forEach(this::bulkWrite);
        committed.inc(batch.writes().size());
    }

    private void bulkWrite(String collection, List<WriteModel<BsonDocument>> models) {
        MongoCollection<BsonDocument> target = database.getCollection(collection, BsonDocument.class);
        for (int from = 0; from < models.size(); from += settings.batchSize()) {
            List<WriteModel<BsonDocument>> chunk = models.subList(from, Math.min(models.size(), from + settings.batchSize()));
            try {
                target.bulkWrite(chunk, UNORDERED);
            } catch (MongoBulkWriteException e) {
                if (e.getWriteConcernError() != null) {
                    throw e;
                }
                List<WriteModel<BsonDocument>> again = new ArrayList<>();
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (error.getCode() == DUPLICATE_KEY) {
                        again.add(chunk.get(error.getIndex())); // two upserts raced: the second one updates now
                    } else {
                        rejected.inc();
                        log.error("MongoDB refused a cross-aggregate document in {} for good (code {}): {}; it is left "
                            + "out", collection, error.getCode(), error.getMessage());
                    }
                }
                if (!again.isEmpty()) {
                    target.bulkWrite(again, UNORDERED);
                }
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
