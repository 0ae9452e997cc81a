package io.eventflow.readmodels;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;

import io.eventflow.core.readmodel.AppendToken;
import io.eventflow.core.readmodel.ReadModelFields;

/**
 * The read side a service embeds: read models by name (resolving the alias a zero-downtime rebuild switches), and
 * read-your-writes, waiting until a read model reflects an append.
 *
 * <pre>{@code
 * ReadModels readModels = ReadModels.builder(mongoClient.getDatabase("readmodels")).build();
 *
 * AppendResult appended = orders.handle("order-42", new OrderCommand.Confirm()).lastAppend();
 * Document order = readModels.awaitVersion("orders", "order-42", appended.newVersion(), Duration.ofSeconds(5));
 * Document customer = readModels.awaitApplied("orders_per_customer", "customer-7", appended.token(), Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>What a reader can see, and when (README, "Consistency"): a per-aggregate document reflects its aggregate's
 * events in order, usually within {@code projection.flush-interval} plus a bulk write of the event's commit; a
 * cross-aggregate document is written when the job's checkpoint covering the event completes, so within about one
 * {@code checkpoint.interval}. Waits poll the document with a backoff from {@link Builder#minPoll} to
 * {@link Builder#maxPoll}. Thread-safe.
 */
public final class ReadModels {

    private final MongoDatabase database;
    private final ReadModelAliases aliases;
    private final Duration minPoll;
    private final Duration maxPoll;

    private ReadModels(Builder builder) {
        this.database = builder.database;
        this.aliases = new ReadModelAliases(builder.database);
        this.minPoll = builder.minPoll;
        this.maxPoll = builder.maxPoll;
    }

    /** @param readModelDatabase the job's {@code readmodel.database} */
    public static Builder builder(MongoDatabase readModelDatabase) {
        return new Builder(readModelDatabase);
    }

    /** The collection that serves the read model now (through its alias, if it was ever rebuilt). */
    public MongoCollection<Document> collection(String readModel) {
        return database.getCollection(aliases.resolve(readModel));
    }

    /** The aliases of the read-model database. */
    public ReadModelAliases aliases() {
        return aliases;
    }

    /**
     * Waits until the per-aggregate read model's document of {@code aggregateId} reflects the aggregate's stream up to
     * {@code version} (its {@code lastSequenceNo} is at least {@code version}) and returns it. The alias is resolved
     * on every poll, so a wait that spans a rebuild's switch reads the new collection.
     *
     * <p>A projection that does not handle any of the aggregate's events has no document for it; waiting on one times
     * out.
     *
     * @throws ReadModelTimeoutException naming the read model, the aggregate, the version waited for and the version
     *                                   seen, if it does not get there within {@code timeout}
     */
    public Document awaitVersion(String readModel, String aggregateId, long version, Duration timeout) {
        Objects.requireNonNull(aggregateId, "aggregateId");
        requirePositive(version, "version");
        return await(readModel, timeout, collection -> {
            Document document = collection.find(Filters.eq(ReadModelFields.ID, aggregateId)).first();
            long seen = document == null ? 0 : longValue(document.get(ReadModelFields.LAST_SEQUENCE_NO));
            return new Poll(seen >= version ? document : null, document == null ? "no document"
                : ReadModelFields.LAST_SEQUENCE_NO + " " + seen);
        }, () -> "document '" + aggregateId + "' at version " + version);
    }

    /**
     * Waits until the cross-aggregate read model's document {@code documentKey} has processed the append of
     * {@code token} (its aggregate's events up to the token's sequenceNo), and returns the document. The token's event,
     * or an earlier one of its aggregate, must have contributed to that document: from then on the document processes
     * every event of the aggregate, whether the projection handles it (applied or dead-lettered) or not (its position
     * is recorded all the same).
     *
     * @throws ReadModelTimeoutException if it does not within {@code timeout}
     */
    public Document awaitApplied(String readModel, String documentKey, AppendToken token, Duration timeout) {
        Objects.requireNonNull(documentKey, "documentKey");
        Objects.requireNonNull(token, "token");
        return await(readModel, timeout, collection -> {
            MongoCollection<Document> applied = database.getCollection(
                ReadModelFields.appliedCollection(collection.getNamespace().getCollectionName()));
            Document position = applied.find(Filters.eq(ReadModelFields.ID, new Document(ReadModelFields.APPLIED_KEY,
                documentKey).append(ReadModelFields.APPLIED_AGGREGATE, token.aggregateId()))).first();
            long seen = position == null ? 0 : longValue(position.get(ReadModelFields.APPLIED_SEQUENCE_NO));
            if (seen < token.sequenceNo()) {
                return new Poll(null, position == null ? "nothing of " + token.aggregateId() + " applied"
                    : token.aggregateId() + " applied up to " + seen);
            }
            Document document = collection.find(Filters.eq(ReadModelFields.ID, documentKey)).first();
            // every event may have been dead-lettered: then there is no document, and the wait is over all the same
            return new Poll(document != null ? document : new Document(ReadModelFields.ID, documentKey), "applied");
        }, () -> "document '" + documentKey + "' to apply " + token);
    }

    private record Poll(Document result, String seen) {
    }

    @FunctionalInterface
    private interface Probe {
        Poll poll(MongoCollection<Document> collection);
    }

    private Document await(String readModel, Duration timeout, Probe probe, java.util.function.Supplier<String> waitedFor) {
        Objects.requireNonNull(readModel, "readModel");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = minPoll.toNanos();
        while (true) {
            MongoCollection<Document> collection = collection(readModel);
            Poll poll = probe.poll(collection);
            if (poll.result() != null) {
                return poll.result();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String name = collection.getNamespace().getCollectionName();
                throw new ReadModelTimeoutException("read model '" + readModel + "' (collection " + name
                    + ") did not reach " + waitedFor.get() + " within " + timeout + "; last seen: " + poll.seen()
                    + missing(name));
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReadModelTimeoutException("interrupted while waiting for read model '" + readModel + "'");
            }
            pause = Math.min(pause * 2, maxPoll.toNanos());
        }
    }

    /** A hint when the collection does not exist at all: most often a misspelt read-model name. */
    private String missing(String collection) {
        java.util.List<String> existing = database.listCollectionNames().into(new java.util.ArrayList<>());
        if (existing.contains(collection)) {
            return "";
        }
        existing.removeIf(name -> name.endsWith(ReadModelFields.APPLIED_SUFFIX) || name.equals(
            ReadModelFields.ALIASES_COLLECTION));
        java.util.Collections.sort(existing);
        return "; database " + database.getName() + " has no collection " + collection + " (it has " + existing + ")";
    }

    private static long longValue(Object value) {
        return value instanceof Number number ? number.longValue() : 0;
    }

    private static void requirePositive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }

    /** Builds {@link ReadModels}. */
    public static final class Builder {
        private final MongoDatabase database;
        private Duration minPoll = Duration.ofMillis(5);
        private Duration maxPoll = Duration.ofMillis(200);

        private Builder(MongoDatabase database) {
            this.database = Objects.requireNonNull(database, "readModelDatabase");
        }

        /** The first pause between two reads of a document a wait is on (default 5 ms); it doubles up to maxPoll. */
        public Builder minPoll(Duration minPoll) {
            this.minPoll = positive(minPoll, "minPoll");
            return this;
        }

        /** The longest pause between two reads (default 200 ms). */
        public Builder maxPoll(Duration maxPoll) {
            this.maxPoll = positive(maxPoll, "maxPoll");
            return this;
        }

        public ReadModels build() {
            if (maxPoll.compareTo(minPoll) < 0) {
                throw new IllegalArgumentException("maxPoll " + maxPoll + " is shorter than minPoll " + minPoll);
            }
            return new ReadModels(this);
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + duration);
            }
            return duration;
        }
    }
}
