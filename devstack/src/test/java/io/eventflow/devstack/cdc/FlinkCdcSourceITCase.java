package io.eventflow.devstack.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.mongodb.source.MongoDBSource;
import org.apache.flink.cdc.debezium.JsonDebeziumDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/**
 * The unmodified Flink CDC {@code MongoDBSource} against the emulator, in a Flink MiniCluster: every startup mode,
 * every kind of change, a parallel snapshot, and a restore from a checkpoint with nothing lost or duplicated.
 */
class FlinkCdcSourceITCase {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private MongoClient client;
    private String databaseName;
    private MongoCollection<Document> events;
    private JobClient job;

    @BeforeEach
    void setUp() {
        client = MongoClients.create(MONGO.connectionString());
        databaseName = "cdc_" + UUID.randomUUID().toString().substring(0, 8);
        events = client.getDatabase(databaseName).getCollection("events");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (job != null) {
            job.cancel().get();
        }
        client.close();
    }

    @Test
    void initialStartupReadsTheSnapshotThenStreamsEveryKindOfChange() throws Exception {
        insert(1, 3);
        String sink = start(StartupOptions.initial(), 1, 64);
        awaitRecords(sink, 3);

        events.insertOne(new Document("_id", "e4").append("n", 4));
        events.updateOne(Filters.eq("_id", "e1"), Updates.set("n", 10));
        events.replaceOne(Filters.eq("_id", "e2"), new Document("n", 20));
        events.deleteOne(Filters.eq("_id", "e3"));

        List<JsonNode> records = awaitRecords(sink, 7);
        assertThat(records.subList(0, 3)).allSatisfy(record -> {
            assertThat(record.path("operationType").asText()).isEqualTo("insert");
            assertThat(record.path("source").path("snapshot").asText()).isEqualTo("true");
        });
        assertThat(records.subList(0, 3)).extracting(FlinkCdcSourceITCase::id).containsExactlyInAnyOrder("e1", "e2", "e3");
        List<JsonNode> stream = records.subList(3, 7);
        assertThat(stream).extracting(record -> record.path("operationType").asText())
            .containsExactly("insert", "update", "replace", "delete");
        assertThat(stream).extracting(FlinkCdcSourceITCase::id).containsExactly("e4", "e1", "e2", "e3");
        assertThat(stream).allSatisfy(record -> assertThat(record.path("source").path("snapshot").asText()).isEqualTo("false"));
        assertThat(fullDocument(stream.get(1)).path("n").asInt()).isEqualTo(10);
        assertThat(fullDocument(stream.get(2)).path("n").asInt()).isEqualTo(20);
    }

    @Test
    void latestStartupStreamsOnlyWhatComesAfterTheStart() throws Exception {
        insert(1, 5);
        String sink = start(StartupOptions.latest(), 1, 64);
        awaitRunningStream(sink, () -> insert(100, 100));
        insert(6, 8);

        List<JsonNode> records = awaitRecords(sink, 4);
        assertThat(records).extracting(FlinkCdcSourceITCase::id).containsExactly("e100", "e6", "e7", "e8");
    }

    @Test
    void timestampStartupStreamsFromThatTime() throws Exception {
        insert(1, 2);
        Thread.sleep(1100); // CDC's timestamp startup has second precision
        long startMillis = System.currentTimeMillis();
        Thread.sleep(1100);
        insert(3, 4);
        String sink = start(StartupOptions.timestamp(startMillis), 1, 64);

        List<JsonNode> records = awaitRecords(sink, 2);
        assertThat(records).extracting(FlinkCdcSourceITCase::id).containsExactly("e3", "e4");
        assertThat(records).allSatisfy(record -> assertThat(record.path("source").path("snapshot").asText()).isEqualTo("false"));
    }

    @Test
    void aParallelSnapshotReadsEveryDocumentOnceAndHandsOverToTheStream() throws Exception {
        String padding = "x".repeat(400);
        List<Document> documents = IntStream.rangeClosed(1, 6000)
            .mapToObj(n -> new Document("_id", String.format("e%05d", n)).append("n", n).append("padding", padding))
            .toList();
        events.insertMany(documents);
        Document splitVector = client.getDatabase(databaseName).runCommand(new Document("splitVector", databaseName + ".events")
            .append("keyPattern", new Document("_id", 1)).append("maxChunkSize", 1));
        assertThat(splitVector.getList("splitKeys", Document.class)).as("split points for 1 MB chunks").hasSize(5);
        String sink = start(StartupOptions.initial(), 3, 1);
        awaitRecords(sink, 6000);
        events.insertOne(new Document("_id", "after-snapshot").append("n", 0));

        List<JsonNode> records = awaitRecords(sink, 6001);
        Map<String, Long> counts = records.stream().collect(Collectors.groupingBy(FlinkCdcSourceITCase::id, Collectors.counting()));
        assertThat(counts).hasSize(6001);
        assertThat(counts.values()).containsOnly(1L);
        assertThat(id(records.get(6000))).isEqualTo("after-snapshot");
    }

    @Test
    void restoringFromACheckpointResumesRightAfterTheLastEvent() throws Exception {
        insert(1, 20);
        FailOnce.reset();
        String sink = start(StartupOptions.initial(), 1, 64, List.of(new FailOnce("e30")));
        awaitRecords(sink, 20);
        insert(21, 40);

        awaitRecords(sink, 40);
        Thread.sleep(2000); // time for a wrongly replayed record to show up
        List<String> ids = CheckpointedCollector.committed(sink).stream().map(FlinkCdcSourceITCase::parse)
            .map(FlinkCdcSourceITCase::id).toList();

        assertThat(FailOnce.FAILED).isTrue();
        assertThat(ids).hasSize(40).doesNotHaveDuplicates();
        assertThat(ids.subList(0, 20)).containsExactlyInAnyOrderElementsOf(ids("e", 1, 20));
        assertThat(ids.subList(20, 40)).containsExactlyElementsOf(ids("e", 21, 40));
    }

    // --- helpers ---

    private static List<String> ids(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(n -> prefix + n).toList();
    }

    private String start(StartupOptions startup, int parallelism, int splitSizeMb) throws Exception {
        return start(startup, parallelism, splitSizeMb, List.of());
    }

    private String start(StartupOptions startup, int parallelism, int splitSizeMb, List<MapFunction<String, String>> steps)
        throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(300);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 500));
        MongoDBSource<String> source = MongoDBSource.<String>builder()
            .hosts(MONGO.server().hosts())
            .connectionOptions("replicaSet=" + MONGO.server().replicaSetName())
            .databaseList(databaseName)
            .collectionList(databaseName + ".events")
            .startupOptions(startup)
            .splitSizeMB(splitSizeMb)
            .deserializer(new JsonDebeziumDeserializationSchema())
            .build();
        DataStream<String> stream = env.fromSource(source, WatermarkStrategy.noWatermarks(), "mongodb-cdc").setParallelism(parallelism);
        for (MapFunction<String, String> step : steps) {
            stream = stream.map(step).setParallelism(1);
        }
        String sinkName = UUID.randomUUID().toString();
        stream.addSink(new CheckpointedCollector(sinkName)).setParallelism(1);
        job = env.executeAsync("cdc-it");
        return sinkName;
    }

    /** Latest startup begins once the source has probed the stream; writes before that are not seen. */
    private void awaitRunningStream(String sink, Runnable probeWrite) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Thread.sleep(3000);
        probeWrite.run();
        while (CheckpointedCollector.committed(sink).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the CDC source did not start streaming within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    private void insert(int from, int to) {
        for (int n = from; n <= to; n++) {
            events.insertOne(new Document("_id", "e" + n).append("n", n));
        }
    }

    private static List<JsonNode> awaitRecords(String sink, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (CheckpointedCollector.committed(sink).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " records within " + WAIT + ", got "
                    + CheckpointedCollector.committed(sink));
            }
            Thread.sleep(100);
        }
        return CheckpointedCollector.committed(sink).stream().map(FlinkCdcSourceITCase::parse).toList();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    private static String id(JsonNode record) {
        return parse(record.path("documentKey").asText()).path("_id").asText();
    }

    private static JsonNode fullDocument(JsonNode record) {
        return parse(record.path("fullDocument").asText());
    }

    /** Fails the job once, when the record with the given _id passes. */
    static final class FailOnce implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final String failOnId;

        FailOnce(String failOnId) {
            this.failOnId = failOnId;
        }

        static void reset() {
            FAILED.set(false);
        }

        @Override
        public String map(String value) {
            if (id(parse(value)).equals(failOnId) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + failOnId);
            }
            return value;
        }
    }
}
