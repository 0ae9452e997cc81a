package io.eventflow.devstack.mongo.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import io.eventflow.devstack.mongo.fault.FailCommand;
import io.eventflow.devstack.mongo.fault.FailPoints;
import io.eventflow.devstack.mongo.oplog.ChangeStreamRequest;
import io.eventflow.devstack.mongo.oplog.ChangeStreams;
import io.eventflow.devstack.mongo.oplog.ClusterClock;
import io.eventflow.devstack.mongo.oplog.OperationKind;
import io.eventflow.devstack.mongo.oplog.OplogEntry;
import io.eventflow.devstack.mongo.oplog.ReplicationLog;
import io.eventflow.devstack.mongo.oplog.UpdateDescriptions;
import io.eventflow.devstack.mongo.txn.TransactionManager;
import io.eventflow.devstack.mongo.update.PipelineUpdate;
import io.netty.channel.Channel;

/**
 * mongo-java-server's memory backend, made to behave like the primary of a single-node MongoDB 6.0 replica set:
 * replica-set {@code hello}, an oplog with change streams, transactions, retryable writes, pipeline-style updates,
 * {@code splitVector}, {@code find} with {@code min}/{@code max}, and the {@code failCommand} fail point.
 * Everything else is the library's.
 */
public final class CompatBackend extends MemoryBackend {

    private static final Logger log = LoggerFactory.getLogger(CompatBackend.class);

    /** Wire version of MongoDB 6.0. */
    public static final int MAX_WIRE_VERSION = 17;
    public static final String VERSION = "6.0.14";

    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete", "findAndModify");
    private static final Set<Integer> RESUMABLE_CHANGE_STREAM_CODES = Set.of(6, 7, 43, 63, 89, 91, 133, 150, 189,
        234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436);
    private static final Map<Integer, String> CODE_NAMES = Map.ofEntries(
        Map.entry(6, "HostUnreachable"), Map.entry(7, "HostNotFound"), Map.entry(11, "UserNotFound"),
        Map.entry(13, "Unauthorized"), Map.entry(50, "MaxTimeMSExpired"), Map.entry(89, "NetworkTimeout"),
        Map.entry(91, "ShutdownInProgress"), Map.entry(112, "WriteConflict"), Map.entry(189, "PrimarySteppedDown"),
        Map.entry(251, "NoSuchTransaction"), Map.entry(262, "ExceededTimeLimit"), Map.entry(286, "ChangeStreamHistoryLost"),
        Map.entry(9001, "SocketException"), Map.entry(10107, "NotWritablePrimary"), Map.entry(11000, "DuplicateKey"),
        Map.entry(11600, "InterruptedAtShutdown"), Map.entry(11602, "InterruptedDueToReplStateChange"),
        Map.entry(13435, "NotPrimaryNoSecondaryOk"), Map.entry(13436, "NotPrimaryOrSecondary"));

    private final String replicaSetName;
    private final ClusterClock clock;
    private final ReplicationLog replicationLog;
    private final ChangeStreams changeStreams;
    private final TransactionManager transactions;
    private final FailPoints failPoints = new FailPoints();
    private final Map<Channel, Client> clients = new ConcurrentHashMap<>();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final ObjectId electionId = new ObjectId("7fffffff0000000000000001");
    private final ScheduledExecutorService housekeeping;
    private volatile String advertisedAddress = "127.0.0.1:27017";

    /**
     * @param replicaSetName      the name reported as {@code setName}
     * @param oplogCapacity       how many oplog entries are retained
     * @param transactionLifetime how long a transaction may stay open before the server aborts it
     */
    public CompatBackend(String replicaSetName, int oplogCapacity, Duration transactionLifetime) {
        super(Clock.systemUTC());
        this.replicaSetName = replicaSetName;
        this.clock = new ClusterClock(Clock.systemUTC());
        this.replicationLog = new ReplicationLog(clock, oplogCapacity, this::existingCollection);
        this.oplog = replicationLog;
        this.changeStreams = new ChangeStreams(replicationLog, this::existingCollection);
        this.transactions = new TransactionManager(this::compatDatabase, this::resolveDatabase, replicationLog,
            transactionLifetime);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mongo-emulator-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(this::houseKeep, 1, 1, TimeUnit.SECONDS);
    }

    /** The {@code host:port} the server reports as its own address; clients connect to exactly this. */
    public void setAdvertisedAddress(String hostAndPort) {
        this.advertisedAddress = hostAndPort;
    }

    public String replicaSetName() {
        return replicaSetName;
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
        return new CompatDatabase(databaseName, getCursorRegistry());
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
                applyBeforeExecution(fault, channel);
            }
            Document reply = dispatch(channel, database, command, query);
            if (fault != null && fault.writeConcernError() != null) {
                reply.put("writeConcernError", fault.writeConcernError());
                List<String> labels = fault.errorLabels() != null ? fault.errorLabels()
                    : writeConcernErrorLabels(command, query, fault.writeConcernError());
                if (!labels.isEmpty()) {
                    reply.put("errorLabels", labels);
                }
            }
            return reply;
        } catch (MongoServerError e) {
            throw withServerLabels(e, command, query, changeStreamCommand);
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
        switch (command.toLowerCase(Locale.ROOT)) {
            case "hello":
                return hello(channel, query, true);
            case "ismaster":
                return hello(channel, query, false);
            case "buildinfo":
                return buildInfo();
            case "configurefailpoint":
                return configureFailPoint(query);
            case "replsetgetstatus":
                return replicaSetStatus();
            case "getparameter":
                return getParameter();
            case "aggregate":
                return aggregate(channel, database, command, query);
            case "getmore":
                long cursorId = ((Number) query.get(command)).longValue();
                return changeStreams.owns(cursorId) ? changeStreams.getMore(query)
                    : super.handleCommand(channel, database, command, query);
            case "killcursors":
                return killCursors(channel, database, command, query);
            case "insert":
                return insert(database, query);
            case "update":
                return update(channel, database, command, query);
            case "findandmodify":
                return findAndModify(channel, database, command, query);
            case "find":
                return query.containsKey("min") || query.containsKey("max")
                    ? MinMaxFind.run(compatDatabase(database), query, getCursorRegistry())
                    : super.handleCommand(channel, database, command, query);
            case "splitvector":
                return SplitVector.run(compatDatabase(database), query);
            case "listcollections":
                return listCollections(channel, database, command, query);
            case "dropdatabase":
                return dropDatabase(channel, database, command, query);
            case "renamecollection":
                return renameCollection(channel, database, command, query);
            case "endsessions":
                transactions.endSessions((List<?>) query.get(command));
                return ok();
            case "killsessions":
            case "killallsessions":
            case "refreshsessions":
                return ok();
            case "committransaction":
            case "aborttransaction":
                throw MongoErrors.invalidOptions(command + " must be run within a transaction (autocommit: false)");
            case "create":
                if (query.containsKey("viewOn")) {
                    throw MongoErrors.invalidOptions("views are not supported by the eventflow MongoDB emulator");
                }
                return super.handleCommand(channel, database, command, query);
            default:
                return super.handleCommand(channel, database, command, query);
        }
    }

    // --- handshake and server information ---

    private Document hello(Channel channel, Document query, boolean helloCommand) {
        Client client = clients.computeIfAbsent(channel, c -> new Client(connectionIds.incrementAndGet(), appNameOf(query)));
        BsonTimestamp lastWrite = clock.current();
        Instant lastWriteDate = Instant.ofEpochSecond(Integer.toUnsignedLong(lastWrite.getTime()));
        Document opTime = new Document("ts", lastWrite).append("t", 1L);
        Document reply = new Document(helloCommand ? "isWritablePrimary" : "ismaster", true);
        if (Boolean.TRUE.equals(query.get("helloOk"))) {
            reply.append("helloOk", true);
        }
        reply.append("hosts", List.of(advertisedAddress))
            .append("setName", replicaSetName)
            .append("setVersion", 1)
            .append("secondary", false)
            .append("primary", advertisedAddress)
            .append("me", advertisedAddress)
            .append("electionId", electionId)
            .append("lastWrite", new Document("opTime", opTime).append("lastWriteDate", lastWriteDate)
                .append("majorityOpTime", opTime).append("majorityWriteDate", lastWriteDate))
            .append("maxBsonObjectSize", BsonSize.MAX_DOCUMENT_BYTES)
            .append("maxMessageSizeBytes", 48_000_000)
            .append("maxWriteBatchSize", 100_000)
            .append("localTime", Instant.now())
            .append("logicalSessionTimeoutMinutes", 30)
            .append("connectionId", client.connectionId())
            .append("minWireVersion", 0)
            .append("maxWireVersion", MAX_WIRE_VERSION)
            .append("readOnly", false);
        Utils.markOkay(reply);
        return reply;
    }

    private static Document buildInfo() {
        Document reply = new Document("version", VERSION)
            .append("gitVersion", "eventflow-mongodb-emulator")
            .append("versionArray", List.of(6, 0, 14, 0))
            .append("bits", 64)
            .append("maxBsonObjectSize", BsonSize.MAX_DOCUMENT_BYTES)
            .append("storageEngines", List.of("inMemory"))
            .append("eventflowEmulator", true);
        Utils.markOkay(reply);
        return reply;
    }

    private Document replicaSetStatus() {
        BsonTimestamp now = clock.current();
        Document member = new Document("_id", 0).append("name", advertisedAddress).append("health", 1.0)
            .append("state", 1).append("stateStr", "PRIMARY")
            .append("optime", new Document("ts", now).append("t", 1L));
        Document reply = new Document("set", replicaSetName).append("date", Instant.now()).append("myState", 1)
            .append("term", 1L).append("members", List.of(member));
        Utils.markOkay(reply);
        return reply;
    }

    private static Document getParameter() {
        Document reply = new Document("featureCompatibilityVersion", new Document("version", "6.0"));
        Utils.markOkay(reply);
        return reply;
    }

    private Document configureFailPoint(Document query) {
        FailCommand failCommand;
        try {
            failCommand = FailCommand.fromCommand(query);
        } catch (IllegalArgumentException e) {
            throw MongoErrors.badValue(e.getMessage());
        }
        if (failCommand == null) {
            failPoints.clear();
        } else {
            failPoints.set(failCommand);
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
        Document rewritten = query.clone();
        rewritten.put("pipeline", PipelineAliases.rewrite(pipeline));
        return super.handleCommand(channel, database, command, rewritten);
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
        if ((filter == null || filter.isEmpty()) && !nameOnly) {
            return reply;
        }
        DefaultQueryMatcher matcher = new DefaultQueryMatcher();
        List<Document> selected = new ArrayList<>();
        for (Document collection : CursorReplies.firstBatchOf(reply)) {
            if (filter == null || matcher.matches(collection, filter)) {
                selected.add(nameOnly ? new Document("name", collection.get("name")).append("type", collection.get("type")) : collection);
            }
        }
        return CursorReplies.firstBatch(database + ".$cmd.listCollections", selected);
    }

    // --- writes ---

    @SuppressWarnings("unchecked")
    private Document insert(String database, Document query) {
        String collectionName = String.valueOf(query.get("insert"));
        if (collectionName.startsWith("system.")) {
            throw new MongoServerError(16459, "attempt to insert in system namespace");
        }
        List<Document> documents = (List<Document>) query.get("documents");
        boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
        CompatCollection collection = compatDatabase(database).collectionForWrite(collectionName);
        List<Document> writeErrors = new ArrayList<>();
        int inserted = 0;
        for (int i = 0; i < documents.size(); i++) {
            Document document = withIdFirst(documents.get(i));
            try {
                int size = BsonSize.of(document);
                if (size > BsonSize.MAX_DOCUMENT_BYTES) {
                    throw new MongoServerError(10334, "BSONObjectTooLarge", "object to insert too large. size in bytes: "
                        + size + ", max size: " + BsonSize.MAX_DOCUMENT_BYTES);
                }
                synchronized (collection) {
                    collection.addDocument(document);
                    replicationLog.append(OplogEntry.inserted(database, collectionName, document.get("_id"),
                        document.cloneDeeply(), size));
                }
                inserted++;
            } catch (MongoServerError e) {
                writeErrors.add(DuplicateKeys.writeError(i, e, collection, document));
                if (ordered) {
                    break;
                }
            }
        }
        Document reply = new Document("n", inserted);
        if (!writeErrors.isEmpty()) {
            reply.put("writeErrors", writeErrors);
        }
        Utils.markOkay(reply);
        return reply;
    }

    private static Document withIdFirst(Document document) {
        if (document.containsKey("_id")) {
            return document;
        }
        Document withId = new Document("_id", new ObjectId());
        withId.putAll(document);
        return withId;
    }

    @SuppressWarnings("unchecked")
    private Document update(Channel channel, String database, String command, Document query) {
        List<Document> statements = (List<Document>) query.get("updates");
        if (statements.stream().noneMatch(statement -> statement.get("u") instanceof List)) {
            return super.handleCommand(channel, database, command, query);
        }
        String collectionName = String.valueOf(query.get(command));
        if (collectionName.startsWith("system.")) {
            throw new MongoServerError(10156, "cannot update system collection");
        }
        CompatDatabase compatDatabase = compatDatabase(database);
        CompatCollection collection = compatDatabase.collectionForWrite(collectionName);
        boolean ordered = !Boolean.FALSE.equals(query.get("ordered"));
        int matched = 0;
        int modified = 0;
        List<Document> upserted = new ArrayList<>();
        List<Document> writeErrors = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            Document statement = statements.get(i);
            try {
                Document result;
                if (statement.get("u") instanceof List<?> stages) {
                    result = PipelineUpdate.parse(statement, (List<Document>) stages, this::resolveDatabase,
                        compatDatabase, replicationLog).apply(collection, replicationLog);
                } else {
                    result = singleLibraryUpdate(channel, database, command, query, statement);
                }
                if (result.get("upserted") != null) {
                    upserted.add(new Document("index", i).append("_id", result.get("upserted")));
                    matched++;
                }
                matched += ((Number) result.get("n")).intValue();
                modified += ((Number) result.get("nModified")).intValue();
            } catch (MongoServerError e) {
                writeErrors.add(DuplicateKeys.writeError(i, e, collection, null));
                if (ordered) {
                    break;
                }
            }
        }
        Document reply = new Document("n", matched).append("nModified", modified);
        if (!upserted.isEmpty()) {
            reply.append("upserted", upserted);
        }
        if (!writeErrors.isEmpty()) {
            reply.append("writeErrors", writeErrors);
        }
        Utils.markOkay(reply);
        return reply;
    }

    /** Runs one ordinary update statement through mongo-java-server and returns {@code {n, nModified, upserted?}}. */
    @SuppressWarnings("unchecked")
    private Document singleLibraryUpdate(Channel channel, String database, String command, Document query,
                                         Document statement) {
        Document single = query.clone();
        single.put("updates", List.of(statement));
        Document reply = super.handleCommand(channel, database, command, single);
        if (reply.get("writeErrors") instanceof List<?> errors && !errors.isEmpty()) {
            Document error = (Document) errors.get(0);
            throw new MongoServerError(((Number) error.get("code")).intValue(), String.valueOf(error.get("codeName")),
                String.valueOf(error.get("errmsg")));
        }
        Document result = new Document("nModified", reply.get("nModified"));
        int n = ((Number) reply.get("n")).intValue();
        if (reply.get("upserted") instanceof List<?> upserts && !upserts.isEmpty()) {
            result.put("upserted", ((Document) upserts.get(0)).get("_id"));
            n--;
        }
        result.put("n", n);
        return result;
    }

    /**
     * mongo-java-server's findAndModify writes without telling the oplog; this records the change event it caused,
     * under the collection's lock so that no other write can come in between.
     */
    private Document findAndModify(Channel channel, String database, String command, Document query) {
        String collectionName = String.valueOf(query.get(command));
        CompatCollection collection = compatDatabase(database).collectionForWrite(collectionName);
        synchronized (collection) {
            Document reply = super.handleCommand(channel, database, command, query);
            Document lastError = (Document) reply.get("lastErrorObject");
            Object value = reply.get("value");
            if (Boolean.TRUE.equals(query.get("remove"))) {
                if (value instanceof Document removed) {
                    replicationLog.append(OplogEntry.pending(OperationKind.DELETE, database, collectionName,
                        removed.get("_id"), null, null, null));
                }
                return reply;
            }
            Object id = lastError != null && lastError.get("upserted") != null ? lastError.get("upserted")
                : value instanceof Document document ? document.get("_id") : null;
            Document current = id == null ? null : currentDocument(collection, id);
            if (current == null) {
                return reply;
            }
            if (lastError != null && lastError.get("upserted") != null) {
                replicationLog.append(OplogEntry.pending(OperationKind.INSERT, database, collectionName, id,
                    current.cloneDeeply(), null, null));
            } else if (lastError != null && Boolean.TRUE.equals(lastError.get("updatedExisting"))) {
                Document update = (Document) query.getOrDefault("update", new Document());
                replicationLog.append(UpdateDescriptions.isReplacement(update)
                    ? OplogEntry.pending(OperationKind.REPLACE, database, collectionName, id, current.cloneDeeply(), null, null)
                    : OplogEntry.pending(OperationKind.UPDATE, database, collectionName, id, null,
                        UpdateDescriptions.fromOperators(update, current), null));
            }
            return reply;
        }
    }

    private static Document currentDocument(CompatCollection collection, Object id) {
        for (Document document : collection.handleQuery(new Document("_id", id), 0, 1)) {
            return document;
        }
        return null;
    }

    private Document dropDatabase(Channel channel, String database, String command, Document query) {
        boolean existed = listDatabaseNames().contains(database);
        Document reply = super.handleCommand(channel, database, command, query);
        if (existed) {
            replicationLog.append(OplogEntry.pending(OperationKind.DROP_DATABASE, database, null, null, null, null, null));
        }
        return reply;
    }

    private Document renameCollection(Channel channel, String database, String command, Document query) {
        Document reply = super.handleCommand(channel, database, command, query);
        String from = String.valueOf(query.get(command));
        String to = String.valueOf(query.get("to"));
        if (!from.equals(to)) {
            replicationLog.append(OplogEntry.pending(OperationKind.RENAME, Utils.getDatabaseNameFromFullName(from),
                Utils.getCollectionNameFromFullName(from), null, null, null,
                new Document("db", Utils.getDatabaseNameFromFullName(to)).append("coll", Utils.getCollectionNameFromFullName(to))));
        }
        return reply;
    }

    // --- faults and error labels ---

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
            String codeName = CODE_NAMES.getOrDefault(code, "Location" + code);
            String message = "Failing command via 'failCommand' failpoint";
            throw fault.errorLabels() != null
                ? new LabeledServerError(code, codeName, message, fault.errorLabels())
                : new MongoServerError(code, codeName, message);
        }
    }

    /** Adds the error labels a MongoDB 6.0 server would add to this error, unless it carries explicit ones. */
    private MongoServerError withServerLabels(MongoServerError error, String command, Document query,
                                              boolean changeStreamCommand) {
        if (error instanceof LabeledServerError) {
            return error;
        }
        int code = error.getCode();
        boolean commitOrAbort = command.equals("commitTransaction") || command.equals("abortTransaction");
        List<String> labels = new ArrayList<>();
        if (TransactionManager.isTransactional(query) && !commitOrAbort
            && (code == MongoErrors.WRITE_CONFLICT || code == MongoErrors.NO_SUCH_TRANSACTION
            || MongoErrors.isRetryableWriteCode(code))) {
            labels.add(MongoErrors.TRANSIENT_TRANSACTION_ERROR);
        }
        if ((commitOrAbort || (TransactionManager.isRetryableWrite(query) && WRITE_COMMANDS.contains(command)))
            && MongoErrors.isRetryableWriteCode(code)) {
            labels.add(MongoErrors.RETRYABLE_WRITE_ERROR);
        }
        if (changeStreamCommand && RESUMABLE_CHANGE_STREAM_CODES.contains(code)) {
            labels.add("ResumableChangeStreamError");
        }
        return labels.isEmpty() ? error
            : new LabeledServerError(code, error.getCodeName(), error.getMessageWithoutErrorCode(), labels);
    }

    /** A retryable write concern error on a retryable write or a commit is labelled so the client retries it. */
    private static List<String> writeConcernErrorLabels(String command, Document query, Document writeConcernError) {
        boolean retryableCommand = command.equals("commitTransaction") || command.equals("abortTransaction")
            || (TransactionManager.isRetryableWrite(query) && WRITE_COMMANDS.contains(command));
        boolean retryableCode = writeConcernError.get("code") instanceof Number code
            && MongoErrors.isRetryableWriteCode(code.intValue());
        return retryableCommand && retryableCode ? List.of(MongoErrors.RETRYABLE_WRITE_ERROR) : List.of();
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
