package io.eventflow.devstack.testing;

import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.utility.DockerImageName;

import com.mongodb.ConnectionString;

/**
 * A real MongoDB replica set for the contract suites, so that the emulator is held to what MongoDB really does:
 * {@code -Dmongo.uri=...} if given (fail points need {@code enableTestCommands=1} there), else a {@code mongo:7.0}
 * single-node replica set started by Testcontainers. Where neither is available the calling tests are skipped, and
 * the reason is printed.
 */
public final class RealMongoReplicaSet {

    private static final Logger log = LoggerFactory.getLogger(RealMongoReplicaSet.class);
    private static MongoTarget target;
    private static String unavailableReason;

    private RealMongoReplicaSet() {
    }

    /** The real replica set, or skips the calling test with the reason. */
    public static synchronized MongoTarget startOrSkip() {
        if (target == null && unavailableReason == null) {
            start();
        }
        Assumptions.assumeTrue(target != null, () -> unavailableReason);
        return target;
    }

    private static void start() {
        String uri = System.getProperty("mongo.uri", "").trim();
        if (!uri.isEmpty()) {
            ConnectionString connectionString = new ConnectionString(uri);
            target = new Target(uri, String.join(",", connectionString.getHosts()), "MongoDB at -Dmongo.uri",
                Boolean.getBoolean("mongo.failpoints"));
            log.warn("Contract suites run against the real MongoDB given by -Dmongo.uri ({})", connectionString.getHosts());
            return;
        }
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            docker = false;
        }
        if (!docker) {
            unavailableReason = "SKIPPED against a real MongoDB: no Docker engine here and -Dmongo.uri is not set. "
                + "The same contract suite ran against the eventflow emulator only.";
            log.warn(unavailableReason);
            return;
        }
        @SuppressWarnings("resource")
        MongoDBContainer container = new MongoDBContainer(DockerImageName.parse("mongo:7.0"))
            .withCommand("--replSet", "docker-rs", "--setParameter", "enableTestCommands=1");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        String url = container.getReplicaSetUrl();
        target = new Target(url, container.getHost() + ":" + container.getFirstMappedPort(),
            "MongoDB 7 (Testcontainers)", true);
        log.warn("Contract suites run against a real MongoDB 7 replica set at {}", url);
    }

    private record Target(String connectionString, String hosts, String description, boolean supportsFailPoints)
        implements MongoTarget {
    }
}
