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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.mongo.backend.CompatCollection;
import io.eventflow.devstack.mongo.backend.CompatDatabase;
import io.eventflow.devstack.mongo.backend.CursorBatches;
import io.eventflow.devstack.mongo.backend.MongoErrors;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.update.ScratchUpdates;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Multi-document transactions and retryable writes.
 *
 * <p>Inside a transaction, {@code insert}, {@code update}, {@code delete} and {@code findAndModify} write to the
 * transaction's workspace ({@link TransactionWrites}); {@code find}, {@code aggregate}, {@code distinct} and their
 * {@code getMore} read the committed data with the transaction's own writes laid over it ({@link TransactionReads}).
 * Inserted unique keys are checked against committed data, the transaction's own inserts and other open
 * transactions' writes: a committed duplicate fails the statement with 11000, a key or document another open
 * transaction holds with WriteConflict (112, TransientTransactionError), as MongoDB does. A failed statement aborts
 * the transaction. Commit locks the collections involved, re-checks the unique indexes, applies every write and
 * appends all oplog entries under one cluster time; if a concurrent write took a key in the meantime, nothing is
 * applied and the commit fails with WriteConflict, so the client retries the whole transaction. {@code create} and
 * {@code createIndexes} take effect at commit, before the writes.
 *
 * <p>Reads inside a transaction see the data as of the transaction's first statement (snapshot isolation, with the
 * {@link SnapshotHistory}); writing a document someone else changed since is a WriteConflict.
 */
public final class TransactionManager {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionManager.class);
    private static final Set<String> TRANSACTIONAL_COMMANDS = Set.of("insert", "update", "delete", "findAndModify",
        "find", "getMore", "aggregate", "distinct", "killCursors", "create", "createIndexes", "commitTransaction",
        "abortTransaction");
    private static final long SESSION_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(30);
    private static final BinData NO_USER = new BinData(new byte[32]);

    private final Function<String, CompatDatabase> databases;
    private final ReplicationLog oplog;
    private final long lifetimeNanos;
    private final ConcurrentMap<Object, ServerSession> sessions = new ConcurrentHashMap<>();
    private final KeyClaims claims = new KeyClaims();
    private final SnapshotHistory history;
    private final TransactionReads reads;
    private final TransactionWrites writes;

    public TransactionManager(Function<String, CompatDatabase> databases, DatabaseResolver databaseResolver,
                              ReplicationLog log, Duration transactionLifetime, CursorBatches cursorBatches,
                              SnapshotHistory history) {
        this.databases = databases;
        this.oplog = log;
        this.lifetimeNanos = transactionLifetime.toNanos();
        this.history = history;
        TransactionView view = new TransactionView(databases, history);
        this.reads = new TransactionReads(view, databases, databaseResolver, log, cursorBatches);
        this.writes = new TransactionWrites(view, databases, claims, new ScratchUpdates(databaseResolver),
            databaseResolver, log);
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
                    case "insert" -> writes.insert(transaction, database, query);
                    case "update" -> writes.update(transaction, database, query);
                    case "delete" -> writes.delete(transaction, database, query);
                    case "findAndModify" -> writes.findAndModify(transaction, database, query);
                    case "find" -> reads.find(transaction, database, query, delegate);
                    case "aggregate" -> reads.aggregate(transaction, database, query, delegate);
                    case "distinct" -> reads.distinct(transaction, database, query, delegate);
                    case "getMore", "killCursors" -> delegate.get();
                    case "create", "createIndexes" -> {
                        transaction.workspace.deferNamespaceChange(database + "." + query.get(command), delegate::get);
                        yield ok();
                    }
                    case "commitTransaction" -> commit(transaction);
                    case "abortTransaction" -> {
                        abort(transaction, "aborted by the client");
                        yield ok();
                    }
                    default -> throw MongoErrors.notSupportedInTransaction(command);
                };
            } catch (TransactionWrites.StatementFailed e) {
                abort(transaction, e.getMessage());
                return e.reply();
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

    /** The sessions this server has seen ({@code $listLocalSessions}): {@code {_id: lsid, lastUse}}. */
    public List<Document> localSessions() {
        List<Document> result = new ArrayList<>();
        for (ServerSession session : sessions.values()) {
            result.add(new Document("_id", session.lsid.clone()));
        }
        return result;
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
            session.transaction = new Transaction(txnNumber, session.lsid, history.begin());
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

    // --- commit ---

    private Document commit(Transaction transaction) {
        Workspace workspace = transaction.workspace;
        if (workspace.isEmpty()) {
            finish(transaction, Transaction.State.COMMITTED);
            return ok();
        }
        workspace.namespaceChanges().forEach(Runnable::run);
        Map<String, CompatCollection> collections = new LinkedHashMap<>();
        for (String namespace : workspace.namespaces()) {
            int dot = namespace.indexOf('.');
            collections.put(namespace, databases.apply(namespace.substring(0, dot))
                .collectionForWrite(namespace.substring(dot + 1)));
        }
        List<CompatCollection> lockOrder = collections.values().stream()
            .sorted(Comparator.comparing(CompatCollection::getFullName)).toList();
        withLocks(lockOrder, 0, () -> applyCommitted(transaction, collections));
        finish(transaction, Transaction.State.COMMITTED);
        return ok();
    }

    /** Runs under the locks of every collection the transaction writes to. */
    private Void applyCommitted(Transaction transaction, Map<String, CompatCollection> collections) {
        Workspace workspace = transaction.workspace;
        for (Map.Entry<String, CompatCollection> entry : collections.entrySet()) {
            CompatCollection collection = entry.getValue();
            for (Map.Entry<Object, Document> write : workspace.overlay(entry.getKey()).entrySet()) {
                if (write.getValue() == null || current(collection, write.getKey()) != null) {
                    continue;
                }
                try {
                    for (Index<Integer> index : collection.getIndexes()) {
                        index.checkAdd(write.getValue(), collection);
                    }
                } catch (MongoServerError e) {
                    abort(transaction, "a concurrent write took a unique key: " + e.getMessageWithoutErrorCode());
                    throw MongoErrors.writeConflict("Write conflict at commit: " + e.getMessageWithoutErrorCode()
                        + ". Please retry your multi-document transaction.");
                }
            }
        }
        try {
            for (Map.Entry<String, CompatCollection> entry : collections.entrySet()) {
                CompatCollection collection = entry.getValue();
                for (Map.Entry<Object, Document> write : workspace.overlay(entry.getKey()).entrySet()) {
                    apply(collection, write.getKey(), write.getValue());
                }
            }
        } catch (RuntimeException e) {
            abort(transaction, "commit failed: " + e.getMessage());
            throw MongoErrors.internal("Transaction commit failed part-way: " + e.getMessage());
        }
        Document lsid = new Document("id", transaction.lsid.get("id")).append("uid", NO_USER);
        oplog.append(new ArrayList<>(workspace.entries()), lsid, transaction.txnNumber);
        return null;
    }

    private static void apply(CompatCollection collection, Object id, Document version) {
        Document current = current(collection, id);
        if (version == null) {
            if (current != null) {
                collection.removeDocument(current);
            }
        } else if (current == null) {
            collection.addDocument(version.cloneDeeply());
        } else {
            collection.replaceWhole(current, version);
        }
    }

    private static Document current(CompatCollection collection, Object id) {
        for (Document document : collection.handleQuery(new Document("_id", id), 0, 1)) {
            return document;
        }
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
        if (transaction.state == Transaction.State.ACTIVE) {
            history.end(transaction.snapshot);
        }
        transaction.state = state;
        claims.release(transaction);
        transaction.workspace.clear();
    }

    private static Document ok() {
        Document reply = new Document();
        de.bwaldvogel.mongo.backend.Utils.markOkay(reply);
        return reply;
    }
}
