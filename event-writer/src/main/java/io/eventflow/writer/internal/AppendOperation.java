package io.eventflow.writer.internal;

import static com.mongodb.client.model.Filters.in;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoException;
import com.mongodb.TransactionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.eventflow.core.event.EventFields;
import io.eventflow.writer.AppendListener;
import io.eventflow.writer.AppendResult;
import io.eventflow.writer.DuplicateEventException;
import io.eventflow.writer.EventStoreException;
import io.eventflow.writer.EventStoreUnavailableException;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;
import io.eventflow.writer.RetryPolicy;
import io.eventflow.writer.WrongExpectedVersionException;

/**
 * One append, with its retries.
 *
 * <p>Appends with {@code any()} to the same aggregate from one store take turns (a fair lock per aggregate), so
 * that threads of one process do not race each other for the head; races with other processes are retried.
 *
 * <p>Each attempt numbers the events after the expected version (for {@code any()}, after the head it just read),
 * writes one event with a single insert or several in one transaction, and on failure decides:
 * <ul>
 *   <li>a duplicate key: if this append's eventIds are already stored, identically, it had succeeded before (a retry
 *       after a lost reply) and the stored result is returned; if they are stored differently, the append is a
 *       {@link DuplicateEventException}; otherwise another writer took the positions: {@code any()} tries again,
 *       the others fail with {@link WrongExpectedVersionException};</li>
 *   <li>a transient error (network, failover, write conflict, unknown commit result): the eventIds are looked up
 *       first, so an attempt that did commit is never written a second time; then it tries again with backoff;</li>
 *   <li>anything else: it fails at once, with the driver's exception as cause.</li>
 * </ul>
 */
public final class AppendOperation {

    /** Commits tried while their outcome is unknown, before the append's own retry logic takes over. */
    private static final int COMMIT_ATTEMPTS = 5;

    private static final Logger log = LoggerFactory.getLogger(AppendOperation.class);

    private final MongoClient client;
    private final MongoCollection<RawBsonDocument> writes;
    private final MongoCollection<BsonDocument> reads;
    private final StreamReader reader;
    private final EventDocuments documents;
    private final TransactionOptions transactionOptions;
    private final RetryPolicy retryPolicy;
    private final AppendListener listener;
    private final AggregateLocks locks = new AggregateLocks(256);

    public AppendOperation(MongoClient client, MongoCollection<RawBsonDocument> writes, MongoCollection<BsonDocument> reads,
                           StreamReader reader, EventDocuments documents, TransactionOptions transactionOptions,
                           RetryPolicy retryPolicy, AppendListener listener) {
        this.client = client;
        this.writes = writes;
        this.reads = reads;
        this.reader = reader;
        this.documents = documents;
        this.transactionOptions = transactionOptions;
        this.retryPolicy = retryPolicy;
        this.listener = listener;
    }

    /** Appends validated events; {@code payloads} are their encoded payloads, in order. */
    public AppendResult append(String aggregateType, String aggregateId, ExpectedVersion expected, List<NewEvent> events,
                               List<BsonDocument> payloads) {
        if (!(expected instanceof ExpectedVersion.Any)) {
            return appendWithRetries(aggregateType, aggregateId, expected, events, payloads);
        }
        ReentrantLock lock = locks.lockFor(aggregateId);
        lock.lock();
        try {
            return appendWithRetries(aggregateType, aggregateId, expected, events, payloads);
        } finally {
            lock.unlock();
        }
    }

    private AppendResult appendWithRetries(String aggregateType, String aggregateId, ExpectedVersion expected,
                                           List<NewEvent> events, List<BsonDocument> payloads) {
        Backoff backoff = new Backoff(retryPolicy);
        while (true) {
            int attempt = backoff.nextAttempt();
            long base = expected instanceof ExpectedVersion.Any ? reader.currentVersion(aggregateId) : expected.version();
            String commitId = UUID.randomUUID().toString();
            List<RawBsonDocument> batch = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                batch.add(documents.encode(aggregateType, aggregateId, base + 1 + i, events.get(i), payloads.get(i), commitId));
            }
            Throwable failure;
            try {
                write(batch);
                return succeeded(new AppendResult(aggregateId, base + 1, base + events.size(), commitId, eventIds(events)),
                    backoff);
            } catch (MongoException e) {
                failure = e;
            }

            if (MongoFailures.isDuplicateKey(failure)) {
                Optional<AppendResult> stored = alreadyStored(aggregateId, expected, events, batch);
                if (stored.isPresent()) {
                    return succeeded(stored.get(), backoff);
                }
                long actual = reader.currentVersion(aggregateId);
                listener.onConflict(aggregateId, expected, actual);
                if (!(expected instanceof ExpectedVersion.Any)) {
                    throw failed(aggregateId, new WrongExpectedVersionException(aggregateId, expected, actual));
                }
                Duration pause = backoff.pauseAfterLostRace();
                if (pause == null) {
                    throw failed(aggregateId, new WrongExpectedVersionException(aggregateId, expected, actual,
                        "; other writers won the race for the head " + backoff.headRaces() + " times in "
                            + backoff.elapsed().toMillis() + " ms"));
                }
                retryAfter(aggregateId, attempt, failure, pause);
            } else if (MongoFailures.isTransient(failure)) {
                Optional<AppendResult> stored = alreadyStoredAfterTransientFailure(aggregateId, expected, events, batch, failure);
                if (stored.isPresent()) {
                    return succeeded(stored.get(), backoff);
                }
                Duration pause = backoff.pauseAfterTransientFailure();
                if (pause == null) {
                    throw failed(aggregateId, new EventStoreUnavailableException("Append to aggregate '" + aggregateId
                        + "' failed after " + backoff.attempts() + " attempts in " + backoff.elapsed().toMillis()
                        + " ms; last error: " + failure.getMessage(), failure));
                }
                retryAfter(aggregateId, attempt, failure, pause);
            } else {
                throw failed(aggregateId, new EventStoreException("Append to aggregate '" + aggregateId
                    + "' failed: " + failure.getMessage(), failure));
            }
        }
    }

    private void write(List<RawBsonDocument> batch) {
        if (batch.size() == 1) {
            writes.insertOne(batch.get(0));
            return;
        }
        try (ClientSession session = client.startSession()) {
            session.startTransaction(transactionOptions);
            try {
                writes.insertMany(session, batch, new InsertManyOptions().ordered(true));
                commitWithRetry(session);
            } catch (RuntimeException e) {
                if (session.hasActiveTransaction()) {
                    abortQuietly(session);
                }
                throw e;
            }
        }
    }

    /**
     * Commits, retrying the commit itself while its outcome is unknown, as MongoDB's drivers specify: a commit is
     * idempotent, and retrying it settles the transaction, where starting a new one would find the first still open
     * and holding its keys (WriteConflict) until the server times it out.
     */
    private static void commitWithRetry(ClientSession session) {
        for (int attempt = 1; ; attempt++) {
            try {
                session.commitTransaction();
                return;
            } catch (MongoException e) {
                if (attempt >= COMMIT_ATTEMPTS || !e.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)) {
                    throw e;
                }
            }
        }
    }

    private static void abortQuietly(ClientSession session) {
        try {
            session.abortTransaction();
        } catch (RuntimeException e) {
            log.debug("abortTransaction after a failed append failed too", e);
        }
    }

    /**
     * After a transient failure the attempt may or may not have been applied; the eventIds tell. A lookup that fails
     * too leaves the question open, and the next attempt will ask again.
     */
    private Optional<AppendResult> alreadyStoredAfterTransientFailure(String aggregateId, ExpectedVersion expected,
                                                                       List<NewEvent> events, List<RawBsonDocument> batch,
                                                                       Throwable failure) {
        try {
            return alreadyStored(aggregateId, expected, events, batch);
        } catch (MongoException lookupFailure) {
            failure.addSuppressed(lookupFailure);
            return Optional.empty();
        }
    }

    /**
     * The result of an earlier, identical append of these events, if it happened.
     *
     * @throws DuplicateEventException if an eventId is stored but not as part of an identical append
     */
    private Optional<AppendResult> alreadyStored(String aggregateId, ExpectedVersion expected, List<NewEvent> events,
                                                 List<RawBsonDocument> batch) {
        List<String> ids = eventIds(events);
        Map<String, BsonDocument> stored = new HashMap<>();
        for (BsonDocument document : reads.find(in(EventFields.EVENT_ID, ids))) {
            stored.put(document.getString(EventFields.EVENT_ID).getValue(), document);
        }
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        long firstSequenceNo = -1;
        String commitId = null;
        for (int i = 0; i < events.size(); i++) {
            String eventId = ids.get(i);
            BsonDocument document = stored.get(eventId);
            if (document == null) {
                String storedId = stored.keySet().iterator().next();
                throw new DuplicateEventException(storedId, "by another append, which did not include event '"
                    + eventId + "' of this one");
            }
            String storedAggregate = document.getString(EventFields.AGGREGATE_ID).getValue();
            long sequenceNo = document.get(EventFields.SEQUENCE_NO).asNumber().longValue();
            if (!storedAggregate.equals(aggregateId)) {
                throw new DuplicateEventException(eventId, "on aggregate '" + storedAggregate + "', not '" + aggregateId + "'");
            }
            if (!EventDocuments.sameEvent(document, batch.get(i))) {
                throw new DuplicateEventException(eventId, "on aggregate '" + aggregateId + "' at sequenceNo "
                    + sequenceNo + " with different content (eventType, schemaVersion or payload)");
            }
            if (i == 0) {
                firstSequenceNo = sequenceNo;
                commitId = document.getString(EventFields.COMMIT_ID).getValue();
            } else if (sequenceNo != firstSequenceNo + i) {
                throw new DuplicateEventException(eventId, "at sequenceNo " + sequenceNo + ", which does not follow "
                    + "the other events of this append");
            }
        }
        if (!(expected instanceof ExpectedVersion.Any) && firstSequenceNo != expected.version() + 1) {
            throw new DuplicateEventException(ids.get(0), "at sequenceNo " + firstSequenceNo + " of aggregate '"
                + aggregateId + "', not at " + (expected.version() + 1) + " as this append expects");
        }
        return Optional.of(new AppendResult(aggregateId, firstSequenceNo, firstSequenceNo + events.size() - 1,
            commitId, ids));
    }

    private AppendResult succeeded(AppendResult result, Backoff backoff) {
        listener.onAppended(result, backoff.elapsed(), backoff.attempts());
        log.debug("appended {}#{}..{} in {} attempt(s)", result.aggregateId(), result.firstSequenceNo(),
            result.lastSequenceNo(), backoff.attempts());
        return result;
    }

    private void retryAfter(String aggregateId, int attempt, Throwable cause, Duration pause) {
        listener.onRetry(aggregateId, attempt, cause, pause);
        log.debug("append to {} attempt {} failed ({}), retrying in {} ms", aggregateId, attempt, cause.getMessage(),
            pause.toMillis());
        Backoff.sleep(pause);
    }

    private EventStoreException failed(String aggregateId, EventStoreException exception) {
        listener.onFailed(aggregateId, exception);
        if (exception instanceof EventStoreUnavailableException) {
            log.warn(exception.getMessage());
        }
        return exception;
    }

    private static List<String> eventIds(List<NewEvent> events) {
        return events.stream().map(NewEvent::eventId).toList();
    }
}
