package io.eventflow.job.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.TwoPhaseCommittingSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.mongo.MongoConnection;

/**
 * Writes cross-aggregate documents the way Flink's two-phase-commit sinks write: the writer keeps the newest version
 * of every document changed during a checkpoint, hands them over as one {@link CrossAggregateBatch} when the
 * checkpoint's barrier arrives, and the {@link CrossAggregateCommitter} writes the batch to MongoDB only once that
 * checkpoint has completed. Flink keeps uncommitted batches in the checkpoint and commits them again after a restore,
 * so a batch is written at least once and only for a state the job has checkpointed; the writes are guarded by each
 * document's {@code eventCount}, so writing one twice, or an older one after a newer one, changes nothing. Readers
 * never see a document in a state that a restored job could not reach.
 */
public final class CrossAggregateSink implements TwoPhaseCommittingSink<CrossAggregateUpdate, CrossAggregateBatch> {

    private static final long serialVersionUID = 1L;

    private final MongoConnection connection;
    private final String database;
    private final Map<String, String> collections;
    private final CrossAggregateCommitter.Settings settings;

    /**
     * @param collections the physical collection of each projection, by projection name
     */
    public CrossAggregateSink(MongoConnection connection, String database, Map<String, String> collections,
                              CrossAggregateCommitter.Settings settings) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.database = Objects.requireNonNull(database, "database");
        this.collections = Map.copyOf(collections);
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public PrecommittingSinkWriter<CrossAggregateUpdate, CrossAggregateBatch> createWriter(InitContext context) {
        return new Writer(collections);
    }

    @Override
    public Committer<CrossAggregateBatch> createCommitter(CommitterInitContext context) {
        return new CrossAggregateCommitter(connection, database, settings, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<CrossAggregateBatch> getCommittableSerializer() {
        return new CrossAggregateBatch.Serializer();
    }

    /** Keeps the newest version of each document changed since the last checkpoint. */
    static final class Writer implements PrecommittingSinkWriter<CrossAggregateUpdate, CrossAggregateBatch> {

        private final Map<String, String> collections;
        private final Map<String, Map<String, Pending>> pending = new HashMap<>();

        Writer(Map<String, String> collections) {
            this.collections = collections;
        }

        private static final class Pending {
            long eventCount;
            byte[] document;
            final Map<String, Long> sources = new LinkedHashMap<>();
        }

        @Override
        public void write(CrossAggregateUpdate update, Context context) {
            Pending entry = pending.computeIfAbsent(update.projection, name -> new HashMap<>())
                .computeIfAbsent(update.documentKey, key -> new Pending());
            if (update.document != null && update.eventCount >= entry.eventCount) {
                entry.eventCount = update.eventCount;
                entry.document = update.document;
            }
            for (int i = 0; i < update.sourceAggregates.length; i++) {
                entry.sources.merge(update.sourceAggregates[i], update.sourceSequenceNos[i], Math::max);
            }
        }

        @Override
        public void flush(boolean endOfInput) {
            // nothing is written before its checkpoint completes: prepareCommit hands everything over
        }

        @Override
        public Collection<CrossAggregateBatch> prepareCommit() {
            if (pending.isEmpty()) {
                return List.of();
            }
            List<CrossAggregateBatch.Write> writes = new ArrayList<>();
            pending.forEach((projection, documents) -> {
                String collection = collections.get(projection);
                if (collection == null) {
                    throw new IllegalStateException("no collection for cross-aggregate projection '" + projection + "'");
                }
                documents.forEach((key, entry) -> {
                    String[] aggregates = entry.sources.keySet().toArray(String[]::new);
                    long[] sequenceNos = entry.sources.values().stream().mapToLong(Long::longValue).toArray();
                    writes.add(new CrossAggregateBatch.Write(collection, key, entry.eventCount, entry.document,
                        aggregates, sequenceNos));
                });
            });
            pending.clear();
            return List.of(new CrossAggregateBatch(writes));
        }

        @Override
        public void close() {
            pending.clear();
        }
    }

}
