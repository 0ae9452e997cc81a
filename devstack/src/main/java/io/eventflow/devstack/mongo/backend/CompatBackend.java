package io.eventflow.devstack.mongo.backend;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.mongo.fault.FailPoints;
import io.eventflow.devstack.mongo.fault.GetMoreFault;
import io.eventflow.devstack.mongo.oplog.ChangeStreamRequest;
import io.eventflow.devstack.mongo.oplog.ChangeStreams;
import io.eventflow.devstack.mongo.oplog.ClusterClock;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.query.CommandRewrites;
import io.eventflow.devstack.mongo.txn.SnapshotHistory;
import io.eventflow.devstack.mongo.txn.TransactionManager;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import io.netty.channel.Channel;

/**
 * mongo-java-server's memory backend, made to behave like the primary of a single-node MongoDB 6.0 replica set. This
 * class dispatches commands; the behaviour lives in focused classes: {@link ServerInfo} (handshake and server
 * replies), {@link WriteCommands} (writes recorded in the oplog), {@link NamespaceCommands} (create, collMod, indexes,
 * rename, drop), {@link ChangeStreams}, {@link TransactionManager} (transactions and retryable writes),
 * {@link CommandRewrites} (let and collations), {@link DatabaseAggregation}, {@link ErrorLabels} and the fail points.
 * Everything else is the library's.
 */
public final class CompatBackend extends MemoryBackend {

    private static final Logger log = LoggerFactory.getLogger(CompatBackend.class);
    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete", "findAndModify");

    private final ClusterClock clock;
    private final ServerInfo serverInfo;
    private final ReplicationLog replicationLog;
    private final ChangeStreams changeStreams;
    private final TransactionManager transactions;
    private final FailPoints failPoints = new FailPoints();
    private final Map<Channel, Client> clients = new ConcurrentHashMap<>();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final WriteCommands writes;
    private final CursorBatches cursorBatches;
    private final NamespaceCommands namespaces;
    private final Views views = new Views();
    private final SnapshotHistory snapshotHistory = new SnapshotHistory();
    private final ScheduledExecutorService housekeeping;

    /**
     * @param replicaSetName      the name reported as {@code setName}
     * @param oplogCapacity       how many oplog entries are retained
     * @param transactionLifetime how long a transaction may stay open before the server aborts it
     */
    public CompatBackend(String replicaSetName, int oplogCapacity, Duration transactionLifetime) {
        super(Clock.systemUTC());
        this.clock = new ClusterClock(Clock.systemUTC());
        this.serverInfo = new ServerInfo(replicaSetName, clock);
        this.replicationLog = new ReplicationLog(clock, oplogCapacity, this::existingCollection);
        this.oplog = replicationLog;
        this.changeStreams = new ChangeStreams(replicationLog, this::existingCollection);
        this.cursorBatches = new CursorBatches(getCursorRegistry());
        this.transactions = new TransactionManager(this::compatDatabase, this::resolveDatabase, replicationLog,
            transactionLifetime, cursorBatches, snapshotHistory);
        this.writes = new WriteCommands(replicationLog, this::compatDatabase, this::resolveDatabase,
            super::handleCommand, new RetryableWriteFaults(failPoints));
        this.namespaces = new NamespaceCommands(replicationLog, this::compatDatabase, super::handleCommand,
            this::listDatabaseNames, views);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mongo-emulator-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(this::houseKeep, 1, 1, TimeUnit.SECONDS);
    }

    /** The {@code host:port} the server reports as its own address; clients connect to exactly this. */
    public void setAdvertisedAddress(String hostAndPort) {
        serverInfo.setAdvertisedAddress(hostAndPort);
    }

    public String replicaSetName() {
        return serverInfo.replicaSetName();
    }

    public FailPoints failPoints() {
        return failPoints;
    }

    public ReplicationLog replicationLog() {
        return replicationLog;
    }

    public TransactionManager transactions() {
        return transactions;
    }

    public ChangeStreams changeStreams() {
        return changeStreams;
    }

    /** The {@code $clusterTime} and {@code operationTime} fields every reply of a replica-set member carries. */
    public void addClusterTime(Document reply) {
        BsonTimestamp now = clock.current();
        reply.put("$clusterTime", new Document("clusterTime", now)
            .append("signature", new Document("hash", new BinData(new byte[20])).append("keyId", 0L)));
        reply.put("operationTime", now);
    }

    @Override
    public CompatDatabase openOrCreateDatabase(String databaseName) {
        // the library may open databases while it is constructed, before this class's fields are set
        return new CompatDatabase(databaseName, getCursorRegistry(),
            snapshotHistory == null ? ChangeRecorder.NONE : snapshotHistory);
    }

    @Override
    public void handleClose(Channel channel) {
        clients.remove(channel);
        super.handleClose(channel);
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        super.close();
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        boolean changeStreamCommand = isChangeStreamCommand(command, query);
        FailCommand fault = "configureFailPoint".equals(command) ? null : failPoints.trigger(command, appName(channel));
        try {
            if (fault != null) {
                try {
                    applyBeforeExecution(fault, channel);
                } catch (MongoServerError e) {
                    throw ErrorLabels.labelled(e, command, query, false);
                }
            }
            Document reply;
            try {
                reply = dispatch(channel, database, command, CommandRewrites.apply(command, query));
            } catch (MongoServerError e) {
                throw ErrorLabels.labelled(e, command, query, changeStreamCommand);
            } finally {
                if (RetryableWriteFaults.takeCloseAfterCommand()) {
                    channel.close();
                    throw new ConnectionClosed();
                }
            }
            boolean succeeded = reply.get("ok") instanceof Number ok && ok.doubleValue() == 1.0;
            Document unsatisfiable = !succeeded || reply.containsKey("writeConcernError") ? null
                : WriteConcerns.errorFor(query);
            if (unsatisfiable != null && (WRITE_COMMANDS.contains(command) || command.equals("commitTransaction"))) {
                reply.put("writeConcernError", unsatisfiable);
            }
            if (fault != null && fault.writeConcernError() != null) {
                Document writeConcernError = fault.writeConcernError().clone();
                List<String> labels = fault.errorLabels() != null ? fault.errorLabels()
                    : ErrorLabels.forWriteConcernError(command, query, writeConcernError);
                reply.put("writeConcernError", writeConcernError);
                if (!labels.isEmpty()) {
                    reply.put("errorLabels", labels);
                }
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MongoServerError(11601, "Interrupted", "operation was interrupted");
        }
    }

    private Document dispatch(Channel channel, String database, String command, Document query)
        throws InterruptedException {
        if (TransactionManager.isTransactional(query)) {
            return transactions.execute(database, command, query, () -> dispatchUnchecked(channel, database, command, query));
        }
        if (TransactionManager.isRetryableWrite(query) && WRITE_COMMANDS.contains(command)) {
            return transactions.retryableWrite(query, () -> dispatchUnchecked(channel, database, command, query));
        }
        return dispatchPlain(channel, database, command, query);
    }

    private Document dispatchUnchecked(Channel channel, String database, String command, Document query) {
        try {
            return dispatchPlain(channel, database, command, query);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MongoServerError(11601, "Interrupted", "operation was interrupted");
        }
    }

    private Document dispatchPlain(Channel channel, String database, String command, Document query)
        throws InterruptedException {
        views.checkWritable(database, command, query);
        Document onView = views.asAggregate(database, command, query);
        if (onView != null) {
            return views.reply(database, command, query, dispatchPlain(channel, database, "aggregate", onView));
        }
        switch (command.toLowerCase(Locale.ROOT)) {
            case "hello":
                return hello(channel, query, true);
            case "ismaster":
                return hello(channel, query, false);
            case "buildinfo":
                return ServerInfo.buildInfo();
            case "configurefailpoint":
                return configureFailPoint(query);
            case "replsetgetstatus":
                return serverInfo.replicaSetStatus();
            case "getparameter":
                return ServerInfo.getParameter(query);
            case "getcmdlineopts":
                return serverInfo.commandLineOptions();
            case "aggregate":
                return aggregate(channel, database, command, query);
            case "getmore":
                return getMore(channel, database, command, query);
            case "killcursors":
                return killCursors(channel, database, command, query);
            case "insert":
                return writes.insert(database, query);
            case "update":
                return writes.update(channel, database, command, query);
            case "delete":
                return writes.delete(channel, database, command, query);
            case "findandmodify":
                return writes.findAndModify(channel, database, command, query);
            case "find":
                return query.containsKey("min") || query.containsKey("max")
                    ? MinMaxFind.run(compatDatabase(database), query, getCursorRegistry())
                    : super.handleCommand(channel, database, command, query);
            case "splitvector":
                return SplitVector.run(compatDatabase(database), query);
            case "listcollections":
                return listCollections(channel, database, command, query);
            case "dropdatabase":
                return namespaces.dropDatabase(channel, database, query);
            case "renamecollection":
                return namespaces.renameCollection(channel, database, query);
            case "collmod":
                return namespaces.collMod(database, query);
            case "createindexes":
                return namespaces.createIndexes(channel, database, query);
            case "dropindexes":
                return namespaces.dropIndexes(channel, database, query);
            case "endsessions":
                transactions.endSessions((List<?>) query.get(command));
                return ok();
            case "killsessions":
                transactions.endSessions((List<?>) query.get(command));
                return ok();
            case "killallsessions":
            case "killallsessionsbypattern":
                transactions.killAll();
                return ok();
            case "refreshsessions":
                return ok();
            case "committransaction":
            case "aborttransaction":
                throw MongoErrors.invalidOptions(command + " must be run within a transaction (autocommit: false)");
            case "create":
                return namespaces.create(channel, database, query);
            case "drop":
                return namespaces.drop(channel, database, query);
            case "distinct":
                return CommandRewrites.afterDistinct(query, super.handleCommand(channel, database, command, query));
            default:
                return super.handleCommand(channel, database, command, query);
        }
    }

    // --- handshake and fail points ---

    private Document hello(Channel channel, Document query, boolean helloCommand) {
        Client client = clients.computeIfAbsent(channel, c -> new Client(connectionIds.incrementAndGet(), appNameOf(query)));
        return serverInfo.hello(query, helloCommand, client.connectionId());
    }

    private Document configureFailPoint(Document query) {
        try {
            failPoints.configure(query);
        } catch (IllegalArgumentException e) {
            throw MongoErrors.badValue(e.getMessage());
        }
        Document reply = new Document("count", 0);
        Utils.markOkay(reply);
        return reply;
    }

    // --- reads ---

    @SuppressWarnings("unchecked")
    private Document aggregate(Channel channel, String database, String command, Document query)
        throws InterruptedException {
        List<Document> pipeline = Aggregation.parse(query.get("pipeline"));
        if (!pipeline.isEmpty() && pipeline.get(0).get("$changeStream") instanceof Document options) {
            List<Document> laterStages = pipeline.subList(1, pipeline.size());
            ChangeStreamRequest request = ChangeStreamRequest.parse(database, query.get(command), options, laterStages);
            Aggregation later = laterStages.isEmpty() ? null
                : Aggregation.fromPipeline(PipelineAliases.rewrite(laterStages), this::resolveDatabase, null, null, replicationLog);
            return changeStreams.open(database, request, later, (Document) query.get("cursor"));
        }
        if (!(query.get(command) instanceof String)) {
            return DatabaseAggregation.run(database, query, pipeline, transactions.localSessions(), this::resolveDatabase,
                compatDatabase(database), replicationLog, cursorBatches);
        }
        DatabaseAggregation.checkReadConcern(query, pipeline);
        Document rewritten = query.clone();
        rewritten.put("pipeline", PipelineAliases.rewrite(pipeline));
        return cursorBatches.limitFirstBatch(super.handleCommand(channel, database, command, rewritten), query);
    }

    private Document getMore(Channel channel, String database, String command, Document query)
        throws InterruptedException {
        GetMoreFault fault = failPoints.onGetMore();
        if (fault != null) {
            if (fault.closeConnection()) {
                channel.close();
                throw new ConnectionClosed();
            }
            if (fault.errorCode() != null) {
                int code = fault.errorCode();
                throw new MongoServerError(code, ErrorCodeNames.of(code),
                    "Failing getMore via the 'failGetMoreAfterCursorCheckout' fail point");
            }
        }
        long cursorId = ((Number) query.get(command)).longValue();
        if (changeStreams.owns(cursorId)) {
            return changeStreams.getMore(query);
        }
        getCursorRegistry().getCursor(cursorId); // CursorNotFound (43) for an unknown id
        Document withBatchSize = query;
        if (!(query.get("batchSize") instanceof Number size) || size.intValue() <= 0) {
            // mongo-java-server's in-memory cursors cannot take "no limit"
            withBatchSize = query.clone();
            withBatchSize.put("batchSize", Integer.MAX_VALUE);
        }
        return super.handleCommand(channel, database, command, withBatchSize);
    }

    @SuppressWarnings("unchecked")
    private Document killCursors(Channel channel, String database, String command, Document query) {
        List<Long> requested = new ArrayList<>();
        for (Object id : (List<Object>) query.get("cursors")) {
            requested.add(((Number) id).longValue());
        }
        List<Long> killed = new ArrayList<>();
        List<Long> others = changeStreams.kill(requested, killed);
        Document reply;
        if (others.isEmpty()) {
            reply = new Document("cursorsKilled", new ArrayList<Long>()).append("cursorsNotFound", new ArrayList<Long>())
                .append("cursorsAlive", List.of()).append("cursorsUnknown", List.of());
            Utils.markOkay(reply);
        } else {
            Document forLibrary = query.clone();
            forLibrary.put("cursors", others);
            reply = super.handleCommand(channel, database, command, forLibrary);
        }
        ((List<Long>) reply.get("cursorsKilled")).addAll(killed);
        return reply;
    }

    private Document listCollections(Channel channel, String database, String command, Document query) {
        Document reply = super.handleCommand(channel, database, command, query);
        Document filter = (Document) query.get("filter");
        boolean nameOnly = Boolean.TRUE.equals(query.get("nameOnly"));
        List<Document> listed = new ArrayList<>(CursorReplies.firstBatchOf(reply));
        listed.addAll(views.describe(database));
        DefaultQueryMatcher matcher = new DefaultQueryMatcher();
        List<Document> selected = new ArrayList<>();
        for (Document collection : listed) {
            if (filter == null || matcher.matches(collection, filter)) {
                selected.add(nameOnly ? new Document("name", collection.get("name")).append("type", collection.get("type")) : collection);
            }
        }
        return CursorReplies.firstBatch(database + ".$cmd.listCollections", selected);
    }

    // --- faults ---

    private void applyBeforeExecution(FailCommand fault, Channel channel) throws InterruptedException {
        if (fault.blockTime() != null) {
            Thread.sleep(fault.blockTime().toMillis());
        }
        if (fault.closeConnection()) {
            channel.close();
            throw new ConnectionClosed();
        }
        if (fault.errorCode() != null) {
            int code = fault.errorCode();
            String codeName = ErrorCodeNames.of(code);
            String message = "Failing command via 'failCommand' failpoint";
            throw fault.errorLabels() != null
                ? new LabeledServerError(code, codeName, message, fault.errorLabels())
                : new MongoServerError(code, codeName, message);
        }
    }

    private boolean isChangeStreamCommand(String command, Document query) {
        if (command.equals("getMore") && query.get(command) instanceof Number id) {
            return changeStreams.owns(id.longValue());
        }
        return command.equals("aggregate") && query.get("pipeline") instanceof List<?> pipeline && !pipeline.isEmpty()
            && pipeline.get(0) instanceof Document first && first.containsKey("$changeStream");
    }

    // --- helpers ---

    private String appName(Channel channel) {
        Client client = channel == null ? null : clients.get(channel);
        return client == null ? null : client.appName();
    }

    private static String appNameOf(Document hello) {
        if (hello.get("client") instanceof Document client && client.get("application") instanceof Document application) {
            return (String) application.get("name");
        }
        return null;
    }

    private CompatDatabase compatDatabase(String name) {
        return (CompatDatabase) resolveDatabase(name);
    }

    /** A collection if it and its database exist, without creating either. */
    private MongoCollection<?> existingCollection(String database, String collection) {
        if (collection == null || !listDatabaseNames().contains(database)) {
            return null;
        }
        return resolveDatabase(database).resolveCollection(collection, false);
    }

    private void houseKeep() {
        try {
            transactions.expire();
            changeStreams.closeIdleCursors();
        } catch (RuntimeException e) {
            log.warn("housekeeping failed", e);
        }
    }

    private static Document ok() {
        Document reply = new Document();
        Utils.markOkay(reply);
        return reply;
    }

    private record Client(int connectionId, String appName) {
    }

    /** Thrown when a fail point closed the client's connection: there is nobody to reply to. */
    public static final class ConnectionClosed extends MongoServerException {
        private static final long serialVersionUID = 1L;

        ConnectionClosed() {
            super("connection closed by the failCommand fail point");
        }
    }
}
