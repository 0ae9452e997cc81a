package io.eventflow.ops.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bson.Document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;

import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.kafka.CommittedKafkaReader.Message;
import io.eventflow.devstack.testing.Await;
import io.eventflow.examples.orders.Order;
import io.eventflow.examples.orders.OrderCommand;
import io.eventflow.examples.orders.OrderEvent;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.examples.orders.Orders;
import io.eventflow.ops.audit.AuditResult;
import io.eventflow.ops.audit.Audits;
import io.eventflow.ops.inspect.JobJars;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.submit.JobSubmission;
import io.eventflow.readmodels.ReadModelAliases;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;

/**
 * One test's slice of the embedded stack: its own event store, read-model database and topic prefix, the Order
 * example's application jar submitted as a user submits it (Flink's REST client, the job's main run here), Order load
 * through the aggregate repository, and the checks every operations test ends with: the read models, per aggregate
 * and across aggregates, match the store, and Kafka, read with read_committed, holds every event exactly once in
 * sequence order.
 */
public final class ProjectionJobFixture implements AutoCloseable {

    /** The Order example's application jar: its projections and the job. Built before this module (see pom.xml). */
    public static final Path APP_JAR = Path.of("..", "examples", "orders", "target", "orders-app.jar").toAbsolutePath()
        .normalize();
    /** The stock job jar, with the built-in projections only. */
    public static final Path JOB_JAR = Path.of("..", "job", "target", "projection-job.jar").toAbsolutePath().normalize();
    /** The Order example's own jar: its projections and domain, without the job (a "jar of projections only"). */
    public static final Path PROJECTIONS_JAR = Path.of("..", "examples", "orders", "target",
        "eventflow-example-orders-0.1.0-SNAPSHOT.jar").toAbsolutePath().normalize();

    /** Documents with a usable position: the tests' malformed documents have none, so they are never published. */
    public static final org.bson.conversions.Bson POSITIONED = com.mongodb.client.model.Filters.and(
        com.mongodb.client.model.Filters.type("aggregateId", "string"),
        com.mongodb.client.model.Filters.or(com.mongodb.client.model.Filters.type("sequenceNo", "int"),
            com.mongodb.client.model.Filters.type("sequenceNo", "long")));

    private final String name;
    private final String kafka;
    private final MongoClient client;
    private final String mongoUri;
    public final FlinkRestClient flink;
    public final EventStore store;
    public final AggregateRepository<Order, OrderCommand, OrderEvent> orders;
    private final ObjectMapper json = new ObjectMapper();

    public ProjectionJobFixture(String name, String mongoUri, String kafka, String flinkUrl) {
        assertThat(APP_JAR).as("the example's jar; build it with mvn -B -DskipTests package").exists();
        this.name = name;
        this.kafka = kafka;
        this.mongoUri = mongoUri;
        this.client = MongoClients.create(mongoUri);
        this.flink = new FlinkRestClient(flinkUrl);
        this.store = EventStore.builder().mongoClient(client).database(storeDatabase()).collection("events")
            .upcasters(Orders.UPCASTERS).build();
        this.orders = AggregateRepository.builder(store, Orders.DEFINITION).build();
    }

    public String storeDatabase() {
        return name + "_store";
    }

    public MongoDatabase readModels() {
        return client.getDatabase(name + "_readmodels");
    }

    public MongoCollection<Document> events() {
        return client.getDatabase(storeDatabase()).getCollection("events");
    }

    /** The job's arguments for this test's databases and topics. */
    /** The job's name (and this test's database, topic and transactional-id prefix). */
    public String name() {
        return name;
    }

    public List<String> jobArguments(String... more) {
        List<String> arguments = new ArrayList<>(List.of("--mongodb.uri", mongoUri, "--mongodb.database", storeDatabase(),
            "--readmodel.database", name + "_readmodels", "--kafka.bootstrap-servers", kafka,
            "--kafka.topic-prefix", name, "--kafka.transactional-id-prefix", name, "--job.name", name,
            "--job.parallelism", "2", "--checkpoint.interval", "1s", "--ordering.gap-timeout", "2s",
            "--source.heartbeat.interval", "500ms"));
        arguments.addAll(List.of(more));
        return arguments;
    }

    /** The example's application jar with this test's job arguments. */
    public JobSubmission submission(String... more) {
        return JobSubmission.of(APP_JAR, List.of(), jobArguments(more));
    }

    /** Submits the example's jar with fresh state; returns the job's id once all its tasks run. */
    public String startJob(String... more) {
        String job = flink.submit(submission(more));
        flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
        return job;
    }

    public OrderLoadGenerator load(double ratePerSecond, long seed) {
        return OrderLoadGenerator.builder(orders).ratePerSecond(ratePerSecond).threads(2).openOrdersPerThread(20)
            .idPrefix(name + "-order-").seed(seed).build();
    }

    /**
     * Waits until every read model of the example (resolved through its alias) matches the store, by the audit
     * `bin/audit` runs and by the independent replay oracle.
     */
    public void awaitReadModelsMatchStore(Duration timeout) {
        ReadModelAliases aliases = new ReadModelAliases(readModels());
        try (JobJars jars = JobJars.open(submission())) {
            Map<String, Audits.Audit> audits = Audits.of(jars, List.of(), events(), Duration.ZERO, 0, 10);
            for (Map.Entry<String, Audits.Audit> readModel : audits.entrySet()) {
                Await.until(readModel.getKey() + " to match the store", timeout, () -> readModel.getValue()
                    .audit(readModel.getKey(), readModels().getCollection(aliases.resolve(readModel.getKey()),
                        org.bson.BsonDocument.class)).clean(), () -> describe(readModel.getValue(), readModel.getKey(), aliases));
            }
        }
        ReadModelOracle.assertReadModelsMatch(events(), readModels(), aliases);
    }

    private String describe(Audits.Audit audit, String readModel, ReadModelAliases aliases) {
        AuditResult result = audit.audit(readModel, readModels().getCollection(aliases.resolve(readModel),
            org.bson.BsonDocument.class));
        return result.driftCount() + " drifting, for example " + result.drifts();
    }

    /**
     * Reads the events topic with read_committed until it holds as many records as the store holds events, then
     * asserts each event is there exactly once, each aggregate's in the order of its stored sequence numbers.
     */
    public void assertKafkaHoldsEveryEventExactlyOnceInOrder(Duration timeout) {
        long stored = events().countDocuments(POSITIONED);
        List<Message> messages = CommittedKafkaReader.readAll(kafka, Pattern.compile(Pattern.quote(name) + "\\.Order"),
            read -> read.size() >= stored, timeout);
        Map<String, List<Long>> published = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Message message : messages) {
            JsonNode event = read(message.value());
            published.computeIfAbsent(event.path("aggregateId").asText(), id -> new ArrayList<>())
                .add(event.path("sequenceNo").asLong());
            seen.merge(event.path("eventId").asText(), 1, Integer::sum);
        }
        assertThat(seen.values()).as("copies of each event on Kafka").allMatch(copies -> copies == 1);
        assertThat((long) messages.size()).as("events on Kafka vs events in the store").isEqualTo(stored);
        Map<String, List<Long>> positions = new HashMap<>();
        for (Document event : events().find(POSITIONED).sort(new Document("sequenceNo", 1))) {
            positions.computeIfAbsent(event.getString("aggregateId"), id -> new ArrayList<>())
                .add(((Number) event.get("sequenceNo")).longValue());
        }
        assertThat(published.keySet()).as("aggregates on Kafka").isEqualTo(positions.keySet());
        positions.forEach((aggregate, sequence) -> assertThat(published.get(aggregate))
            .as("sequenceNos of %s on Kafka", aggregate).containsExactlyElementsOf(sequence));
    }

    private JsonNode read(String value) {
        try {
            return json.readTree(value);
        } catch (Exception e) {
            throw new AssertionError("a record on Kafka is not JSON: " + value, e);
        }
    }

    /** Cancels every job still running, so the next test starts on an idle cluster. */
    @Override
    public void close() {
        flink.jobs().stream().filter(job -> job.isActive()).forEach(job -> flink.cancel(job.id()));
        flink.close();
        orders.close();
        client.close();
    }
}
