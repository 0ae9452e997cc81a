package io.eventflow.devstack.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bson.Document;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.testing.ClusterJobs;

/**
 * The shaded projection job as deployed (the application jar {@code examples/orders/target/orders-app.jar} where
 * the build has one, else {@code job/target/projection-job.jar}), submitted over REST to a standalone
 * cluster of separate processes, where it runs in Flink's child-first user-code class loader next to Flink's own
 * libraries (a MiniCluster in the test's JVM would hide a clash between the two). It must reach RUNNING with all
 * its tasks, carry events from the embedded MongoDB to Kafka and a read model, and no process may log a class
 * loading error. Skipped, saying so, when the jar has not been built (it is built after devstack).
 */
@Tag("process")
class ShadedJobClassloadingITCase {

    /** The jar users deploy: the example's application jar where it exists, else the job's own shaded jar. */
    private static final List<Path> JOB_JARS = List.of(
        Path.of("..", "examples", "orders", "target", "orders-app.jar").toAbsolutePath().normalize(),
        Path.of("..", "job", "target", "projection-job.jar").toAbsolutePath().normalize());
    private static final Pattern CLASS_LOADING_ERROR = Pattern.compile(
        "LinkageError|ClassNotFoundException|NoClassDefFoundError|NoSuchMethodError|NoSuchFieldError"
            + "|IllegalAccessError|IncompatibleClassChangeError|ClassCastException|AbstractMethodError");
    /** Flink says at INFO what optional libraries (Hadoop) it did not find; that is no clash. */
    private static final Pattern INFO_LINE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} [\\d:,]+ (INFO|DEBUG) ");

    @Test
    void theShadedJobRunsInTheUserCodeClassLoaderWithoutClashes() throws IOException {
        Path jobJar = JOB_JARS.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        assumeTrue(jobJar != null, "[TEST] SKIPPED the shaded job on the process cluster: none of " + JOB_JARS
            + " is built yet (the build makes them after devstack; mvn -B -DskipTests install, then run this test)");
        Path work = Path.of("target", "classloading-cluster").toAbsolutePath();
        try (EmbeddedMongoServer mongo = EmbeddedMongoServer.builder().port(0).build().start();
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().port(0).build().start();
             FlinkStandaloneCluster cluster = FlinkStandaloneCluster.builder().taskManagers(2).slotsPerTaskManager(1)
                 .workDirectory(work).build().start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> events = client.getDatabase("cl_store").getCollection("events");
            events.createIndex(Indexes.ascending("aggregateId", "sequenceNo"), new IndexOptions().unique(true));
            ClusterJobs jobs = new ClusterJobs(cluster.restUrl());

            String job = jobs.run(jobs.uploadJar(jobJar), null, List.of(
                "--mongodb.uri", mongo.connectionString(), "--mongodb.database", "cl_store",
                "--readmodel.database", "cl_readmodels", "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.topic-prefix", "cl", "--kafka.transactional-id-prefix", "cl", "--job.name", "classloading",
                "--checkpoint.interval", "1s", "--source.heartbeat.interval", "500ms"), 2, null);
            jobs.awaitAllTasksRunning(job, Duration.ofMinutes(2));
            assertThat(jobs.taskManagersOf(job)).as("the job spans both TaskManagers").hasSize(2);

            events.insertMany(List.of(event("order-1", 1, "OrderCreated", 2, new Document("customerId", "c-1")
                    .append("currency", "EUR").append("items", List.of(new Document("sku", "sku-1")
                        .append("quantity", 2).append("unitPrice", "4.50")))),
                event("order-1", 2, "OrderConfirmed", 1, new Document()),
                event("order-2", 1, "OrderCreated", 2, new Document("customerId", "c-2").append("currency", "EUR")
                    .append("items", List.of()))));

            List<CommittedKafkaReader.Message> published = CommittedKafkaReader.readAll(kafka.bootstrapServers(),
                Pattern.compile("cl\\.Order"), read -> read.size() >= 3, Duration.ofSeconds(90));
            assertThat(published).as("events on Kafka, read_committed").hasSize(3);
            MongoCollection<Document> summaries = client.getDatabase("cl_readmodels").getCollection("stream_summaries");
            Await.until("the read model of order-1 at sequence 2", Duration.ofSeconds(60), () -> {
                Document summary = summaries.find(Filters.eq("_id", "order-1")).first();
                return summary != null && ((Number) summary.get("lastSequenceNo")).longValue() == 2;
            }, () -> String.valueOf(summaries.find(Filters.eq("_id", "order-1")).first()));
            assertThat(jobs.failures(job)).as("the job's failures").isEmpty();
            jobs.cancel(job);

            assertThat(classLoadingErrors(cluster.logDirectory())).as("class loading errors in the processes' logs")
                .isEmpty();
        }
    }

    private static Document event(String aggregate, long sequenceNo, String type, int schemaVersion, Document payload) {
        return new Document("_id", aggregate + "-" + sequenceNo).append("aggregateId", aggregate)
            .append("aggregateType", "Order").append("sequenceNo", sequenceNo).append("eventType", type)
            .append("schemaVersion", schemaVersion).append("occurredAt", new Date()).append("payload", payload)
            .append("metadata", new Document("correlationId", aggregate)).append("commitId", aggregate + "-c" + sequenceNo);
    }

    private static List<String> classLoadingErrors(Path logs) throws IOException {
        List<String> errors = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (CLASS_LOADING_ERROR.matcher(line).find() && !INFO_LINE.matcher(line).find()) {
                        errors.add(file.getFileName() + ": " + line);
                    }
                }
            }
        }
        return errors;
    }
}
