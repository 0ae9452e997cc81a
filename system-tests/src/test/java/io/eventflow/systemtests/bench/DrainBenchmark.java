package io.eventflow.systemtests.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.mongodb.source.MongoDBSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.eventflow.devstack.flink.EmbeddedFlinkCluster;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.devstack.mongo.wire.CommandStats;
import io.eventflow.examples.orders.Orders;
import io.eventflow.examples.orders.projections.OrderProjection;
import io.eventflow.job.ProjectionJob;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.source.ChangeRecordDeserializer;
import io.eventflow.projection.Projection;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.writer.EventStore;

/**
 * The job against what users would build instead (issue 15): a backlog is written to the event store first, then the
 * job and the seed documents' design ({@link SeedDesignConsumer}) each drain it from the same cluster time, in
 * alternating rounds, into fresh read-model databases and topics, with the same projections. Also timed on the same
 * backlog: the read limit (the driver reading the change stream and nothing else) and Flink CDC's source alone.
 *
 * <p>Two emulators: the event store in one, the read models in the other, so that one round's read-model writes never
 * lengthen the next round's change stream (the emulator's oplog holds every namespace). Write operations and round
 * trips are counted by the read models' emulator. Method and results: BENCHMARKS.md. Run with
 * {@code bin/benchmark drain}.
 *
 * <p>Options: {@code --shapes cold,hot} (cold: 10,000 aggregates × 20 events; hot: 250 × 400), {@code --rounds 3} (after {@code --warmups 1} not reported),
 * {@code --scale 1.0} (a share of the aggregates, for a quick try), {@code --skip-seed} (the job's rounds only),
 * {@code --checkpoint-interval 10s}, {@code --parallelism 2}, {@code --set.<job option> value}.
 */
public final class DrainBenchmark {

    private static final ProjectionRegistry REGISTRY = ProjectionRegistry.of(Orders.UPCASTERS, new OrderProjection(),
        new StreamSummaryProjection());
    private static final List<Projection<?>> PROJECTIONS = List.of(new OrderProjection(), new StreamSummaryProjection());
    private static final Duration PATIENCE = Duration.ofMinutes(10);

    private record Shape(String name, int aggregates, int eventsPerAggregate) {
        long events() {
            return (long) aggregates * eventsPerAggregate;
        }
    }

    /** One drain: when the read models and the Kafka records were complete, and what it cost. */
    private record Drain(double readModelSeconds, double kafkaSeconds, CommandStats.Counts updates, long kafkaTransactions,
                         String readModelDatabase, Map<String, Long> records, long cpuNanos) {
    }

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        int rounds = options.getInt("rounds", 3);
        int warmups = options.getInt("warmups", 1);
        List<Shape> shapes = new ArrayList<>();
        boolean skipSeed = options.has("skip-seed"); // the job's rounds only, to compare changes to the job
        double scale = options.getDouble("scale", 1.0); // fewer aggregates, for a quick try of the harness
        for (String name : options.get("shapes", "cold,hot").split(",")) {
            shapes.add(name.trim().equals("hot") ? new Shape("hot", (int) Math.ceil(250 * scale), 400)
                : new Shape("cold", (int) Math.ceil(10_000 * scale), 20));
        }
        Map<String, String> overrides = new HashMap<>();
        options.toMap().forEach((key, value) -> {
            if (key.startsWith("set.")) {
                overrides.put(key.substring(4), value);
            }
        });
        overrides.putIfAbsent("checkpoint.interval", options.get("checkpoint-interval", "10s"));
        overrides.putIfAbsent("job.parallelism", options.get("parallelism", "2"));
        try (EmbeddedMongoServer store = EmbeddedMongoServer.builder().oplogCapacity(1_200_000).build().start();
             EmbeddedMongoServer readModels = EmbeddedMongoServer.builder().oplogCapacity(10_000).build().start();
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().defaultPartitions(2).build().start();
             EmbeddedFlinkCluster flink = EmbeddedFlinkCluster.builder().restPort(0).slotsPerTaskManager(4).build().start();
             MongoClient storeClient = MongoClients.create(store.connectionString());
             MongoClient readModelClient = MongoClients.create(readModels.connectionString())) {
            org.apache.flink.streaming.util.TestStreamEnvironment.setAsContext(flink.miniCluster(), 2);
            for (Shape shape : shapes) {
                String database = "drain_" + shape.name();
                BsonTimestamp startAt = prefill(storeClient, database, shape);
                ThreadCpu rawCpu = ThreadCpu.start();
                double raw = rawRead(storeClient, database, startAt, shape.events());
                long rawNanos = rawCpu.since(name -> name.equals("main"));
                ThreadCpu cdcCpu = ThreadCpu.start();
                double cdc = cdcSourceAlone(store, database, startAt, shape.events());
                long cdcNanos = cdcCpu.since(name -> !ThreadCpu.emulator(name) && !ThreadCpu.broker(name)
                    && !name.startsWith("pool-") && !name.equals("main"));
                List<Drain> jobs = new ArrayList<>();
                List<Drain> seeds = new ArrayList<>();
                for (int round = 0; round < warmups; round++) { // the JIT's first compilations, for both designs
                    drainWithJob(flink, store, readModels, kafka, database, startAt, shape, overrides, -1 - round);
                    if (!skipSeed) {
                        drainWithSeedDesign(storeClient, readModels, readModelClient, kafka, database, startAt, shape,
                            -1 - round);
                    }
                }
                for (int round = 0; round < rounds; round++) {
                    jobs.add(drainWithJob(flink, store, readModels, kafka, database, startAt, shape, overrides, round));
                    if (!skipSeed) {
                        seeds.add(drainWithSeedDesign(storeClient, readModels, readModelClient, kafka, database, startAt,
                            shape, round));
                        assertSameOutput(readModelClient, jobs.get(round), seeds.get(round));
                    }
                }
                report(shape, raw, rawNanos, cdc, cdcNanos, jobs, seeds);
            }
        }
    }

    /** Appends the shape's events with 4 threads through the writer; returns the cluster time just before. */
    private static BsonTimestamp prefill(MongoClient client, String database, Shape shape) throws Exception {
        Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));
        BsonTimestamp startAt = new BsonTimestamp(hello.get("operationTime", org.bson.BsonTimestamp.class).getValue());
        EventStore events = EventStore.builder().mongoClient(client).database(database).build();
        long start = System.nanoTime();
        OrderTraffic.append(events, OrderTraffic.plan(shape.name(), shape.aggregates(), shape.eventsPerAggregate(), 15), 4, 2);
        System.out.printf("%s: %,d events written in %.1f s%n", shape.name(), shape.events(),
            (System.nanoTime() - start) / 1e9);
        return startAt;
    }

    /** The driver reading the change stream from the backlog's start and nothing else: the read limit. */
    private static double rawRead(MongoClient client, String database, BsonTimestamp startAt, long events) {
        long start = System.nanoTime();
        long seen = 0;
        try (MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> stream = client.getDatabase(database)
                .getCollection("events", BsonDocument.class).watch().startAtOperationTime(startAt).batchSize(1024)
                .cursor()) {
            while (seen < events) {
                if (stream.tryNext() != null) {
                    seen++;
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static final AtomicLong CDC_SEEN = new AtomicLong();

    /** Flink CDC's MongoDB source from the same time into a sink that only counts. */
    private static double cdcSourceAlone(EmbeddedMongoServer store, String database, BsonTimestamp startAt, long events)
        throws Exception {
        CDC_SEEN.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        MongoDBSource<ChangeRecord> source = MongoDBSource.<ChangeRecord>builder().hosts(store.hosts())
            .connectionOptions("replicaSet=" + store.replicaSetName()).databaseList(database)
            .collectionList(database + ".events").startupOptions(StartupOptions.timestamp(startAt.getTime() * 1000L))
            .batchSize(1024).pollAwaitTimeMillis(100).pollMaxBatchSize(1024)
            .deserializer(new ChangeRecordDeserializer()).build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "cdc").setParallelism(1)
            .addSink(new CountingSink()).setParallelism(1);
        long start = System.nanoTime();
        JobClient job = env.executeAsync("cdc source alone");
        await("the CDC source to deliver " + events + " events", CDC_SEEN::get, events);
        double seconds = (System.nanoTime() - start) / 1e9;
        job.cancel().get();
        return seconds;
    }

    /** Counts what reaches it, for {@link #cdcSourceAlone}. */
    private static final class CountingSink implements SinkFunction<ChangeRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void invoke(ChangeRecord value, Context context) {
            CDC_SEEN.incrementAndGet();
        }
    }

    private static Drain drainWithJob(EmbeddedFlinkCluster flink, EmbeddedMongoServer store, EmbeddedMongoServer readModels,
                                      EmbeddedKafkaBroker kafka, String database, BsonTimestamp startAt, Shape shape, Map<String, String> overrides,
                                      int round) throws Exception {
        String run = shape.name() + "-job-" + round;
        Map<String, String> values = new HashMap<>();
        values.put("mongodb.uri", store.connectionString());
        values.put("mongodb.database", database);
        values.put("readmodel.mongodb.uri", readModels.connectionString());
        values.put("readmodel.database", "rm_" + run.replace('-', '_'));
        values.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        values.put("kafka.topic-prefix", run);
        values.put("kafka.transactional-id-prefix", run);
        values.put("source.startup.mode", "TIMESTAMP");
        values.put("source.startup.timestamp", Long.toString(startAt.getTime() * 1000L));
        values.putAll(overrides);
        JobConfig config = JobConfig.of(values);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ProjectionJob job = new ProjectionJob(config, REGISTRY);
        job.configure(env);
        job.build(env);
        readModels.commandStats().reset();
        KafkaCount records = new KafkaCount(kafka.bootstrapServers(), run, shape.events());
        long start = System.nanoTime();
        JobClient client = env.executeAsync(run);
        Drain drain = awaitDrain(readModels, "rm_" + run.replace('-', '_'), shape, records, start);
        long checkpoints = completedCheckpoints(flink, client);
        client.cancel().get();
        // one transaction per Kafka sink subtask and checkpoint: the events sink runs at the job's parallelism
        return new Drain(drain.readModelSeconds(), drain.kafkaSeconds(), drain.updates(),
            checkpoints * Integer.parseInt(overrides.get("job.parallelism")), drain.readModelDatabase(), drain.records(),
            drain.cpuNanos());
    }

    /** Completed checkpoints of a job, from Flink's REST API. */
    private static long completedCheckpoints(EmbeddedFlinkCluster flink, JobClient client) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(flink.restUrl() + "/jobs/" + client.getJobID()
                + "/checkpoints")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("counts")
            .path("completed").asLong();
    }

    private static Drain drainWithSeedDesign(MongoClient store, EmbeddedMongoServer readModels, MongoClient readModelClient,
                                             EmbeddedKafkaBroker kafka, String database, BsonTimestamp startAt, Shape shape,
                                             int round) throws Exception {
        String run = shape.name() + "-seed-" + round;
        String readModelDatabase = "rm_" + run.replace('-', '_');
        SeedDesignConsumer consumer = new SeedDesignConsumer(store, readModelClient, database, readModelDatabase,
            PROJECTIONS, Orders.UPCASTERS, kafka.bootstrapServers(), run, 1000);
        readModels.commandStats().reset();
        KafkaCount records = new KafkaCount(kafka.bootstrapServers(), run, shape.events());
        AtomicBoolean running = new AtomicBoolean(true);
        long start = System.nanoTime();
        CompletableFuture<Void> consuming = CompletableFuture.runAsync(() -> consumer.run(startAt, running));
        Drain drain = awaitDrain(readModels, readModelDatabase, shape, records, start);
        running.set(false);
        consuming.get(1, TimeUnit.MINUTES);
        return drain;
    }

    /**
     * Both designs must have produced the same thing: every read-model document equal, field by field, and per aggregate
     * the same Kafka records in the same order.
     */
    private static void assertSameOutput(MongoClient client, Drain job, Drain seed) {
        for (Projection<?> projection : PROJECTIONS) {
            Map<Object, BsonDocument> expected = new HashMap<>();
            client.getDatabase(seed.readModelDatabase()).getCollection(projection.collection(), BsonDocument.class).find()
                .forEach(document -> expected.put(document.get("_id"), document));
            long compared = 0;
            for (BsonDocument document : client.getDatabase(job.readModelDatabase())
                    .getCollection(projection.collection(), BsonDocument.class).find()) {
                BsonDocument other = expected.remove(document.get("_id"));
                if (!document.equals(other)) {
                    throw new IllegalStateException("read model " + projection.collection() + " differs: job " + document
                        + ", seed design " + other);
                }
                compared++;
            }
            if (!expected.isEmpty()) {
                throw new IllegalStateException(expected.size() + " documents of " + projection.collection()
                    + " only the seed design wrote, for example " + expected.values().iterator().next());
            }
            System.out.printf("  %s: %,d documents equal%n", projection.collection(), compared);
        }
        if (!job.records().equals(seed.records())) {
            throw new IllegalStateException("the Kafka records differ: " + job.records().size() + " aggregates from the job, "
                + seed.records().size() + " from the seed design");
        }
    }

    /** Waits until every stream summary is at its stream's head and Kafka holds every event, read_committed. */
    private static Drain awaitDrain(EmbeddedMongoServer readModels, String readModelDatabase, Shape shape,
                                    KafkaCount records, long start) throws Exception {
        ThreadCpu cpu = ThreadCpu.start();
        try (MongoClient client = MongoClients.create(readModels.connectionString())) {
            var summaries = client.getDatabase(readModelDatabase).getCollection("stream_summaries");
            await("the read models to reach every stream's head", () -> summaries.countDocuments(
                Filters.eq("lastSequenceNo", (long) shape.eventsPerAggregate())), shape.aggregates());
            double readModelSeconds = (System.nanoTime() - start) / 1e9;
            // the consumer's: everything but the servers and this harness's Kafka reader
            long consumerCpu = cpu.since(name -> !ThreadCpu.emulator(name) && !ThreadCpu.broker(name)
                && !name.startsWith("pool-") && !name.equals("main"));
            CommandStats.Counts updates = readModels.commandStats().snapshot().getOrDefault("update",
                new CommandStats.Counts(0, 0));
            records.await();
            double kafka = (records.completedAt() - start) / 1e9;
            return new Drain(readModelSeconds, kafka, updates, 0, readModelDatabase, records.digests(), consumerCpu);
        }
    }

    private static void await(String what, LongSupplier value, long target) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + ": " + value.getAsLong() + " of " + target);
            }
            Thread.sleep(20);
        }
    }

    /**
     * A read_committed consumer counting a topic's records in the background, and folding each key's values, in order,
     * into a digest.
     */
    private static final class KafkaCount {
        private final AtomicLong seen = new AtomicLong();
        private final Map<String, Long> digests = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicLong completedAt = new AtomicLong();
        private final Future<?> reading;
        private final ExecutorService thread = Executors.newSingleThreadExecutor();

        /** Counts the records of the topics of every aggregate type under {@code topicPrefix}. */
        KafkaCount(String bootstrapServers, String topicPrefix, long expected) {
            Properties properties = new Properties();
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            properties.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + topicPrefix);
            // the topic appears once the drain starts; a pattern subscription learns of it at the next metadata refresh
            properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "200");
            reading = thread.submit(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    consumer.subscribe(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(topicPrefix)
                        + "\\.(?!dlq$|alerts$|integrity$)[^.]+"));
                    while (seen.get() < expected && !Thread.currentThread().isInterrupted()) {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                        records.forEach(record -> digests.merge(new String(record.key(),
                            java.nio.charset.StandardCharsets.UTF_8), (long) java.util.Arrays.hashCode(record.value()),
                            (digest, value) -> digest * 31 + value));
                        if (seen.addAndGet(records.count()) >= expected) {
                            completedAt.set(System.nanoTime());
                        }
                    }
                }
            });
        }

        void await() throws Exception {
            reading.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            thread.shutdownNow();
        }

        long completedAt() {
            return completedAt.get();
        }

        Map<String, Long> digests() {
            return Map.copyOf(digests);
        }
    }

    private static void report(Shape shape, double raw, long rawNanos, double cdc, long cdcNanos, List<Drain> jobs,
                               List<Drain> seeds) {
        long events = shape.events();
        System.out.printf("%n%s backlog: %,d events (%,d aggregates × %d)%n", shape.name(), events, shape.aggregates(),
            shape.eventsPerAggregate());
        System.out.printf("| read limit: the driver's change stream | %,.0f events/s | %.1f µs CPU per event |%n",
            events / raw, rawNanos / 1e3 / events);
        System.out.printf("| Flink CDC's source alone | %,.0f events/s (%.2f of the read limit) | %.1f µs CPU per event |%n",
            events / cdc, raw / cdc, cdcNanos / 1e3 / events);
        System.out.println("| round | job read models (events/s) | job Kafka (events/s) | seed design read models | seed design "
            + "Kafka | ratio (read models) | job updates / bulk round trips per 1,000 events | seed design | job Kafka "
            + "transactions | CPU µs per event, job / seed design |");
        for (int round = 0; round < jobs.size(); round++) {
            Drain job = jobs.get(round);
            if (seeds.isEmpty()) {
                System.out.printf("| %d | %,.0f | %,.0f | - | - | - | %.0f / %.1f | - | %d | %.1f / - |%n", round + 1,
                    events / job.readModelSeconds(), events / job.kafkaSeconds(),
                    job.updates().statements() * 1000.0 / events, job.updates().commands() * 1000.0 / events,
                    job.kafkaTransactions(), job.cpuNanos() / 1e3 / events);
                continue;
            }
            Drain seed = seeds.get(round);
            System.out.printf("| %d | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.0f / %.1f | %.0f / %.1f | %d | %.1f / %.1f |%n",
                round + 1, events / job.readModelSeconds(), events / job.kafkaSeconds(), events / seed.readModelSeconds(),
                events / seed.kafkaSeconds(), seed.readModelSeconds() / job.readModelSeconds(),
                job.updates().statements() * 1000.0 / events, job.updates().commands() * 1000.0 / events,
                seed.updates().statements() * 1000.0 / events, seed.updates().commands() * 1000.0 / events,
                job.kafkaTransactions(), job.cpuNanos() / 1e3 / events, seed.cpuNanos() / 1e3 / events);
        }
    }
}
