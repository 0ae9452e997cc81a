package io.eventflow.devstack.mongo.txn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.DocumentComparator;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.eventflow.devstack.mongo.backend.BsonSize;
import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;
import io.eventflow.devstack.mongo.backend.CursorReplies;
import io.eventflow.devstack.mongo.backend.DuplicateKeys;
import io.eventflow.devstack.mongo.backend.MongoErrors;
import io.eventflow.devstack.mongo.backend.PipelineAliases;
import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;

/**
 * Multi-document transactions and retryable writes.
 *
 * <p>Inside a transaction, inserts are buffered and checked against committed data, the transaction's own inserts
 * and other open transactions' inserts on every unique index: a committed duplicate fails the statement with 11000
 * and aborts the transaction; a key another open transaction holds fails it with WriteConflict (112,
 * TransientTransactionError), as MongoDB does. Reads inside the transaction see committed data plus the
 * transaction's own inserts. Commit locks the collections involved, re-checks the unique indexes, applies every
 * insert and appends all oplog entries under one cluster time; if a concurrent write took a key in the meantime,
 * nothing is applied and the commit fails with WriteConflict, so the client retries the whole transaction.
 *
 * <p>Reads inside a transaction see the latest committed data, not a snapshot taken at the transaction's start.
 */
public final class TransactionManager {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionManager.class);
    private static final Set<String> TRANSACTIONAL_COMMANDS = Set.of("insert", "find", "aggregate",
        "commitTransaction", "abortTransaction");
    private static final long SESSION_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(30);
    private static final BinData NO_USER = new BinData(new byte[32]);

    private final Function<String, CompatDatabase> databases;
    private final DatabaseResolver databaseResolver;
    private final ReplicationLog oplog;
    private final long lifetimeNanos;
    private final ConcurrentMap<Object, ServerSession> sessions = new ConcurrentHashMap<>();
    private final ConcurrentMap<PendingKey, Transaction> pendingKeys = new ConcurrentHashMap<>();

    public TransactionManager(Function<String, CompatDatabase> databases, DatabaseResolver databaseResolver,
                              ReplicationLog log, Duration transactionLifetime) {
        this.databases = databases;
        this.databaseResolver = databaseResolver;
        this.oplog = log;
        this.lifetimeNanos = transactionLifetime.toNanos();
    }

    /** Whether the command runs inside a transaction ({@code autocommit: false}). */
    public static boolean isTransactional(Document command) {
        return Boolean.FALSE.equals(command.get("autocommit"));
    }

    /** Whether the command is a retryable write ({@code txnNumber} without {@code autocommit}). */
    public static boolean isRetryableWrite(Document command) {
        return command.containsKey("txnNumber") && !command.containsKey("autocommit") && command.get("lsid") != null;
    }

    /**
     * Runs a command that belongs to a transaction.
     *
     * @param delegate runs the command outside any transaction (for reads that find nothing buffered)
     */
    public Document execute(String database, String command, Document query, Supplier<Document> delegate) {
        Document lsid = (Document) query.get("lsid");
        if (lsid == null || !(query.get("txnNumber") instanceof Number)) {
            throw MongoErrors.invalidOptions("'autocommit: false' requires a session (lsid) and a txnNumber");
        }
        long txnNumber = ((Number) query.get("txnNumber")).longValue();
        ServerSession session = sessions.computeIfAbsent(lsid.get("id"), id -> new ServerSession(lsid));
        synchronized (session) {
            session.touch();
            Transaction transaction = transactionFor(session, txnNumber, Boolean.TRUE.equals(query.get("startTransaction")), command);
            if (transaction == null) {
                return ok(); // a retried commit of a committed transaction
            }
            try {
                return switch (command) {
                    case "insert" -> insert(transaction, database, query);
                    case "find" -> find(transaction, database, query, delegate);
                    case "aggregate" -> aggregate(transaction, database, query, delegate);
                    case "commitTransaction" -> commit(transaction);
                    case "abortTransaction" -> {
                        abort(transaction, "aborted by the client");
                        yield ok();
                    }
                    default -> throw MongoErrors.notSupportedInTransaction(command);
                };
            } catch (RuntimeException e) {
                if (transaction.isActive()) {
                    abort(transaction, e.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * Runs a retryable write once per {@code txnNumber}: a retry gets the first attempt's reply instead of writing
     * again.
     */
    public Document retryableWrite(Document query, Supplier<Document> write) {
        Document lsid = (Document) query.get("lsid");
        long txnNumber = ((Number) query.get("txnNumber")).longValue();
        ServerSession session = sessions.computeIfAbsent(lsid.get("id"), id -> new ServerSession(lsid));
        synchronized (session) {
            session.touch();
            if (txnNumber == session.lastRetryableTxnNumber) {
                return session.lastRetryableReply.cloneDeeply();
            }
            if (txnNumber < session.highestTxnNumber) {
                throw new MongoServerError(225, "TransactionTooOld", "Retryable write with txnNumber " + txnNumber
                    + " is prohibited on session because a newer retryable write with txnNumber "
                    + session.highestTxnNumber + " has already started on this session.");
            }
            Document reply = write.get();
            session.highestTxnNumber = txnNumber;
            if (!reply.containsKey("writeErrors")) {
                // a failed statement was not applied: a retry runs it again
                session.lastRetryableTxnNumber = txnNumber;
                session.lastRetryableReply = reply.cloneDeeply();
            }
            return reply;
        }
    }

    /** Ends sessions (the {@code endSessions} command): their open transactions are aborted. */
    public void endSessions(Collection<?> lsids) {
        for (Object lsid : lsids) {
            if (lsid instanceof Document document) {
                ServerSession session = sessions.remove(document.get("id"));
                if (session != null) {
                    synchronized (session) {
                        if (session.transaction != null && session.transaction.isActive()) {
                            abort(session.transaction, "session ended");
                        }
                    }
                }
            }
        }
    }

    /** Aborts every open transaction ({@code killAllSessions}), as MongoDB does for the sessions it kills. */
    public void killAll() {
        for (ServerSession session : sessions.values()) {
            synchronized (session) {
                if (session.transaction != null && session.transaction.isActive()) {
                    abort(session.transaction, "its session was killed");
                }
            }
        }
    }

    /** Aborts transactions older than their lifetime and forgets idle sessions; called periodically. */
    public void expire() {
        long now = System.nanoTime();
        for (ServerSession session : sessions.values()) {
            synchronized (session) {
                Transaction transaction = session.transaction;
                if (transaction != null && transaction.isActive() && now - transaction.startedNanos > lifetimeNanos) {
                    LOG.info("aborting transaction {} that exceeded its lifetime", transaction.txnNumber);
                    abort(transaction, "it exceeded the transaction lifetime limit");
                }
                if (now - session.lastUsedNanos > SESSION_TIMEOUT_NANOS
                    && (session.transaction == null || !session.transaction.isActive())) {
                    sessions.remove(session.lsid.get("id"), session);
                }
            }
        }
    }

    /** The number of transactions currently open. */
    public long openTransactions() {
        return sessions.values().stream().filter(s -> s.transaction != null && s.transaction.isActive()).count();
    }

    private Transaction transactionFor(ServerSession session, long txnNumber, boolean start, String command) {
        if (!TRANSACTIONAL_COMMANDS.contains(command)) {
            if (session.transaction != null && session.transaction.txnNumber == txnNumber && session.transaction.isActive()) {
                abort(session.transaction, "it ran '" + command + "', which the emulator does not support in transactions");
            }
            throw MongoErrors.notSupportedInTransaction(command);
        }
        if (start) {
            if (txnNumber < session.highestTxnNumber
                || (txnNumber == session.highestTxnNumber && session.transaction != null)) {
                throw new MongoServerError(225, "TransactionTooOld", "Cannot start transaction " + txnNumber
                    + " on session because a newer transaction " + session.highestTxnNumber + " has already started.");
            }
            if (session.transaction != null && session.transaction.isActive()) {
                abort(session.transaction, "a newer transaction was started on its session");
            }
            session.highestTxnNumber = txnNumber;
            session.transaction = new Transaction(txnNumber, session.lsid);
            return session.transaction;
        }
        Transaction transaction = session.transaction;
        if (transaction == null || transaction.txnNumber != txnNumber) {
            throw MongoErrors.noSuchTransaction(txnNumber, null);
        }
        if (transaction.isActive() && System.nanoTime() - transaction.startedNanos > lifetimeNanos) {
            abort(transaction, "it exceeded the transaction lifetime limit");
        }
        return switch (transaction.state) {
            case ACTIVE -> transaction;
            case ABORTED -> throw MongoErrors.noSuchTransaction(txnNumber, transaction.abortReason);
            case COMMITTED -> {
                if (command.equals("commitTransaction")) {
                    yield null;
                }
                throw MongoErrors.transactionCommitted(txnNumber);
            }
        };
    }

    // --- statements ---

    @SuppressWarnings("unchecked")
    private Document insert(Transaction transaction, String database, Document query) {
        String collectionName = String.valueOf(query.get("insert"));
        List<Document> documents = (List<Document>) query.get("documents");
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        String namespace = database + "." + collectionName;
        int inserted = 0;
        for (int i = 0; i < documents.size(); i++) {
            Document document = documents.get(i);
            document.putIfAbsent("_id", new ObjectId());
            try {
                checkSize(document);
                claimUniqueKeys(transaction, namespace, collection, document);
            } catch (MongoServerError e) {
                if (e.getCode() != MongoErrors.DUPLICATE_KEY) {
                    throw e;
                }
                abort(transaction, e.getMessageWithoutErrorCode());
                Document reply = new Document("n", inserted)
                    .append("writeErrors", List.of(DuplicateKeys.writeError(i, e, collection, document)));
                de.bwaldvogel.mongo.backend.Utils.markOkay(reply);
                return reply;
            }
            transaction.inserts.add(new Transaction.Insert(database, collectionName, document.cloneDeeply()));
            inserted++;
        }
        Document reply = new Document("n", inserted);
        de.bwaldvogel.mongo.backend.Utils.markOkay(reply);
        return reply;
    }

    private static void checkSize(Document document) {
        int size = BsonSize.of(document);
        if (size > BsonSize.MAX_DOCUMENT_BYTES) {
            throw new MongoServerError(10334, "BSONObjectTooLarge", "object to insert too large. size in bytes: "
                + size + ", max size: " + BsonSize.MAX_DOCUMENT_BYTES);
        }
    }

    private void claimUniqueKeys(Transaction transaction, String namespace, CompatCollection collection, Document document) {
        List<Index<Integer>> uniqueIndexes = collection == null ? List.of() : collection.getIndexes().stream()
            .filter(Index::isUnique).toList();
        if (collection == null) {
            claim(transaction, new PendingKey(namespace, "_id_", new KeyValue(document.get("_id"))), namespace,
                "_id_ dup key: { _id: " + document.get("_id") + " }");
            return;
        }
        for (Index<Integer> index : uniqueIndexes) {
            index.checkAdd(document, collection);
            for (KeyValue key : index.getKeyValues(document)) {
                claim(transaction, new PendingKey(namespace, index.getName(), key), namespace,
                    index.getName() + " dup key: " + key);
            }
        }
    }

    private void claim(Transaction transaction, PendingKey key, String namespace, String duplicateDescription) {
        if (transaction.claimedKeys.contains(key)) {
            throw new DuplicateKeyError(namespace, duplicateDescription);
        }
        Transaction owner = pendingKeys.putIfAbsent(key, transaction);
        if (owner != null && owner != transaction) {
            if (owner.isActive()) {
                throw MongoErrors.writeConflict("Caused by :: Write conflict during plan execution and yielding is "
                    + "disabled. :: Please retry your operation or multi-document transaction.");
            }
            pendingKeys.put(key, transaction);
        }
        transaction.claimedKeys.add(key);
    }

    private Document find(Transaction transaction, String database, Document query, Supplier<Document> delegate) {
        String collectionName = String.valueOf(query.get("find"));
        List<Document> buffered = transaction.bufferedIn(database, collectionName);
        if (buffered.isEmpty()) {
            return delegate.get();
        }
        Document filter = (Document) query.getOrDefault("filter", new Document());
        Document sort = (Document) query.get("sort");
        CompatCollection collection = databases.apply(database).existingCollection(collectionName);
        List<Document> matches = new ArrayList<>();
        if (collection != null) {
            Document selector = new Document("$query", filter);
            collection.handleQuery(new QueryParameters(selector, 0, 0)).forEach(matches::add);
        }
        DefaultQueryMatcher matcher = new DefaultQueryMatcher();
        buffered.stream().filter(document -> matcher.matches(document, filter)).forEach(matches::add);
        Stream<Document> result = matches.stream();
        if (sort != null && !sort.isEmpty()) {
            result = result.sorted(new DocumentComparator(sort));
        }
        int skip = ((Number) query.getOrDefault("skip", 0)).intValue();
        int limit = Math.abs(((Number) query.getOrDefault("limit", 0)).intValue());
        result = result.skip(skip);
        if (limit > 0) {
            result = result.limit(limit);
        }
        Document projection = (Document) query.get("projection");
        List<Document> documents = result.toList();
        if (projection != null && !projection.isEmpty()) {
            documents = Aggregation.fromPipeline(List.of(new Document("$project", projection)), databaseResolver,
                null, null, oplog).runStages(documents.stream());
        }
        return CursorReplies.firstBatch(database + "." + collectionName, documents);
    }

    @SuppressWarnings("unchecked")
    private Document aggregate(Transaction transaction, String database, Document query, Supplier<Document> delegate) {
        Object target = query.get("aggregate");
        if (!(target instanceof String collectionName)) {
            throw MongoErrors.notSupportedInTransaction("aggregate on a database");
        }
        List<Document> pipeline = (List<Document>) query.get("pipeline");
        if (!pipeline.isEmpty() && pipeline.get(0).containsKey("$changeStream")) {
            throw MongoErrors.notSupportedInTransaction("$changeStream");
        }
        List<Document> buffered = transaction.bufferedIn(database, collectionName);
        if (buffered.isEmpty()) {
            return delegate.get();
        }
        CompatDatabase compatDatabase = databases.apply(database);
        CompatCollection collection = compatDatabase.existingCollection(collectionName);
        Stream<Document> committed = collection == null ? Stream.empty() : collection.queryAllAsStream();
        Aggregation aggregation = Aggregation.fromPipeline(PipelineAliases.rewrite(pipeline), databaseResolver,
            compatDatabase, collection, oplog);
        List<Document> result = aggregation.runStages(Stream.concat(committed, buffered.stream()));
        return CursorReplies.firstBatch(database + "." + collectionName, result);
    }

    private Document commit(Transaction transaction) {
        if (transaction.inserts.isEmpty()) {
            finish(transaction, Transaction.State.COMMITTED);
            return ok();
        }
        Map<String, CompatCollection> collections = new LinkedHashMap<>();
        for (Transaction.Insert insert : transaction.inserts) {
            collections.computeIfAbsent(insert.namespace(),
                ns -> databases.apply(insert.database()).collectionForWrite(insert.collection()));
        }
        List<CompatCollection> lockOrder = collections.values().stream()
            .sorted(Comparator.comparing(CompatCollection::getFullName)).toList();
        withLocks(lockOrder, 0, () -> applyCommitted(transaction, collections));
        finish(transaction, Transaction.State.COMMITTED);
        return ok();
    }

    /** Runs under the locks of every collection the transaction writes to. */
    private Void applyCommitted(Transaction transaction, Map<String, CompatCollection> collections) {
        for (Transaction.Insert insert : transaction.inserts) {
            CompatCollection collection = collections.get(insert.namespace());
            try {
                for (Index<Integer> index : collection.getIndexes()) {
                    index.checkAdd(insert.document(), collection);
                }
            } catch (MongoServerError e) {
                abort(transaction, "a concurrent write took a unique key: " + e.getMessageWithoutErrorCode());
                throw MongoErrors.writeConflict("Write conflict at commit: " + e.getMessageWithoutErrorCode()
                    + ". Please retry your multi-document transaction.");
            }
        }
        List<OplogEntry> entries = new ArrayList<>(transaction.inserts.size());
        List<Transaction.Insert> applied = new ArrayList<>();
        try {
            for (Transaction.Insert insert : transaction.inserts) {
                collections.get(insert.namespace()).addDocument(insert.document());
                applied.add(insert);
                entries.add(OplogEntry.pending(OperationKind.INSERT, insert.database(), insert.collection(),
                    insert.document().get("_id"), insert.document().cloneDeeply(), null, null));
            }
        } catch (RuntimeException e) {
            for (Transaction.Insert insert : applied) {
                collections.get(insert.namespace()).removeDocument(insert.document());
            }
            abort(transaction, "commit failed: " + e.getMessage());
            throw MongoErrors.internal("Transaction commit failed and was rolled back: " + e.getMessage());
        }
        Document lsid = new Document("id", transaction.lsid.get("id")).append("uid", NO_USER);
        oplog.append(entries, lsid, transaction.txnNumber);
        return null;
    }

    private static <T> T withLocks(List<CompatCollection> monitors, int index, Supplier<T> body) {
        if (index == monitors.size()) {
            return body.get();
        }
        synchronized (monitors.get(index)) {
            return withLocks(monitors, index + 1, body);
        }
    }

    private void abort(Transaction transaction, String reason) {
        transaction.abortReason = reason;
        finish(transaction, Transaction.State.ABORTED);
    }

    private void finish(Transaction transaction, Transaction.State state) {
        transaction.state = state;
        transaction.claimedKeys.forEach(key -> pendingKeys.remove(key, transaction));
        transaction.claimedKeys.clear();
        if (state == Transaction.State.ABORTED) {
            transaction.inserts.clear();
        }
    }

    private static Document ok() {
        Document reply = new Document();
        de.bwaldvogel.mongo.backend.Utils.markOkay(reply);
        return reply;
    }
}
