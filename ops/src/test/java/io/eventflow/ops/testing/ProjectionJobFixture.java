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
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.kafka.CommittedKafkaReader.Message;
import io.eventflow.ops.audit.AuditResult;
import io.eventflow.ops.audit.ReadModelAudit;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;
import io.eventflow.writer.example.order.Order;
import io.eventflow.writer.example.order.OrderCommand;
import io.eventflow.writer.example.order.OrderEvent;
import io.eventflow.writer.example.order.OrderLoadGenerator;
import io.eventflow.writer.example.order.Orders;

/**
 * One test's slice of the embedded stack: its own event store, read-model database and topic prefix, the shaded
 * job jar submitted through Flink's REST API as a user would, Order load through the aggregate repository, and
 * the checks every operations test ends with: read models match the store, and Kafka, read with read_committed,
 * holds every event exactly once in sequence order.
 */
public final class ProjectionJobFixture implements AutoCloseable {

    /** Built by the job module before this one (see pom.xml). */
    public static final Path JOB_JAR = Path.of("..", "job", "target", "projection-job.jar").toAbsolutePath().normalize();

    private final String name;
    private final String kafka;
    private final MongoClient client;
    private final String mongoUri;
    public final FlinkRestClient flink;
    public final EventStore store;
    public final AggregateRepository<Order, OrderCommand, OrderEvent> orders;
    private final ObjectMapper json = new ObjectMapper();

    public ProjectionJobFixture(String name, String mongoUri, String kafka, String flinkUrl) {
        assertThat(JOB_JAR).as("the job jar; build it with mvn -B -DskipTests package -pl job").exists();
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
    public List<String> jobArguments(String... more) {
        List<String> arguments = new ArrayList<>(List.of("--mongodb.uri", mongoUri, "--mongodb.database", storeDatabase(),
            "--readmodel.database", name + "_readmodels", "--kafka.bootstrap-servers", kafka,
            "--kafka.topic-prefix", name, "--kafka.transactional-id-prefix", name, "--job.name", name,
            "--job.parallelism", "2", "--checkpoint.interval", "1s", "--ordering.gap-timeout", "2s",
            "--source.heartbeat.interval", "500ms"));
        arguments.addAll(List.of(more));
        return arguments;
    }

    /** Uploads the jar and starts the job with fresh state; returns its id once all its tasks run. */
    public String startJob(String... more) {
        String jarId = flink.uploadJar(JOB_JAR);
        String job = flink.runJar(jarId, jobArguments(more), null, false);
        flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
        return job;
    }

    public OrderLoadGenerator load(double ratePerSecond, long seed) {
        return OrderLoadGenerator.builder(orders).ratePerSecond(ratePerSecond).threads(2).openOrdersPerThread(20)
            .idPrefix(name + "-order-").seed(seed).build();
    }

    /** Waits until both read models stand exactly at the store's heads. */
    public void awaitReadModelsMatchStore(String ordersCollection, String summariesCollection, Duration timeout) {
        Await.until("read models " + ordersCollection + " and " + summariesCollection + " to match the store",
            timeout, () -> audit("orders", ordersCollection, "Order").clean()
                && audit("stream_summaries", summariesCollection, null).clean(), () -> "");
    }

    public AuditResult audit(String readModel, String collection, String aggregateType) {
        return new ReadModelAudit(events(), aggregateType, Duration.ZERO, 0, 10)
            .audit(readModel, readModels().getCollection(collection));
    }

    /**
     * Reads the events topic with read_committed until it holds as many records as the store holds events, then
     * asserts each event is there exactly once, in sequence order per aggregate.
     */
    public void assertKafkaHoldsEveryEventExactlyOnceInOrder(Duration timeout) {
        long stored = events().countDocuments();
        List<Message> messages = CommittedKafkaReader.readAll(kafka, Pattern.compile(Pattern.quote(name) + "\\.Order"),
            read -> read.size() >= stored, timeout);
        Map<String, Long> lastSequence = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Message message : messages) {
            JsonNode event = read(message.value());
            String aggregate = event.path("aggregateId").asText();
            long sequenceNo = event.path("sequenceNo").asLong();
            seen.merge(event.path("eventId").asText(), 1, Integer::sum);
            long previous = lastSequence.getOrDefault(aggregate, 0L);
            assertThat(sequenceNo).as("sequenceNo of %s after %d on Kafka", aggregate, previous).isEqualTo(previous + 1);
            lastSequence.put(aggregate, sequenceNo);
        }
        assertThat(seen.values()).as("copies of each event on Kafka").allMatch(copies -> copies == 1);
        assertThat((long) messages.size()).as("events on Kafka vs events in the store").isEqualTo(stored);
        for (Document head : events().aggregate(List.of(new Document("$group", new Document("_id", "$aggregateId")
                .append("head", new Document("$max", "$sequenceNo")))))) {
            assertThat(lastSequence.get(head.getString("_id"))).as("last event of %s on Kafka", head.getString("_id"))
                .isEqualTo(((Number) head.get("head")).longValue());
        }
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
        orders.close();
        client.close();
    }
}
