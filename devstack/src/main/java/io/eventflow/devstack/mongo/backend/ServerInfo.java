package io.eventflow.devstack.mongo.backend;

import java.time.Instant;
import java.util.List;

import io.eventflow.devstack.mongo.oplog.ClusterClock;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * The replies that describe the server: {@code hello}/{@code isMaster} of a single-node replica set's primary,
 * {@code buildInfo} of MongoDB 6.0, {@code replSetGetStatus}, {@code getParameter} and {@code getCmdLineOpts} (which
 * shows {@code enableTestCommands}, so that test harnesses use the fail points).
 */
final class ServerInfo {

    /** Wire version of MongoDB 6.0. */
    static final int MAX_WIRE_VERSION = 17;
    static final String VERSION = "6.0.14";

    private final String replicaSetName;
    private final ClusterClock clock;
    private final ObjectId electionId = new ObjectId("7fffffff0000000000000001");
    private volatile String advertisedAddress = "127.0.0.1:27017";

    ServerInfo(String replicaSetName, ClusterClock clock) {
        this.replicaSetName = replicaSetName;
        this.clock = clock;
    }

    void setAdvertisedAddress(String hostAndPort) {
        this.advertisedAddress = hostAndPort;
    }

    String replicaSetName() {
        return replicaSetName;
    }

    Document hello(Document query, boolean helloCommand, int connectionId) {
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
            .append("connectionId", connectionId)
            .append("minWireVersion", 0)
            .append("maxWireVersion", MAX_WIRE_VERSION)
            .append("readOnly", false);
        Utils.markOkay(reply);
        return reply;
    }

    static Document buildInfo() {
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

    Document replicaSetStatus() {
        BsonTimestamp now = clock.current();
        Document member = new Document("_id", 0).append("name", advertisedAddress).append("health", 1.0)
            .append("state", 1).append("stateStr", "PRIMARY")
            .append("optime", new Document("ts", now).append("t", 1L));
        Document reply = new Document("set", replicaSetName).append("date", Instant.now()).append("myState", 1)
            .append("term", 1L).append("members", List.of(member));
        Utils.markOkay(reply);
        return reply;
    }

    /** {@code getParameter}: the feature compatibility version, and {@code enableTestCommands} when asked for. */
    static Document getParameter(Document query) {
        Document reply = new Document("featureCompatibilityVersion", new Document("version", "6.0"));
        if (query.containsKey("enableTestCommands") || "*".equals(query.get("getParameter"))) {
            reply.append("enableTestCommands", true);
        }
        Utils.markOkay(reply);
        return reply;
    }

    /** {@code getCmdLineOpts}: the options a {@code mongod} of this replica set with test commands would show. */
    Document commandLineOptions() {
        Document reply = new Document("argv", List.of("mongod", "--replSet", replicaSetName, "--setParameter",
            "enableTestCommands=1"))
            .append("parsed", new Document("replication", new Document("replSet", replicaSetName))
                .append("setParameter", new Document("enableTestCommands", "1")));
        Utils.markOkay(reply);
        return reply;
    }
}
