package io.eventflow.systemtests.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.bson.BsonDocument;
import org.bson.Document;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.eventflow.devstack.flink.EmbeddedFlinkCluster;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.job.ProjectionJob;
import io.eventflow.job.ordering.GapPolicy;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.config.JobOptions;
import io.eventflow.job.sink.TopicMode;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.ordering.GapFiller;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.ordering.OrderingSettings;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.examples.orders.Orders;
import io.eventflow.examples.orders.projections.OrderProjection;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.sink.KafkaSinks;
import io.eventflow.job.sink.ReadModelSinks;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Throughput and latency of the projection job on this machine. The generated input comes from one source
 * subtask, so each aggregate's events arrive in order, as from the change stream; both pipelines run with object
 * reuse, as the job does. Method and results: BENCHMARKS.md. Run with
 * {@code bin/benchmark job}.
 *
 * <p>Options: {@code --events 2000000} per throughput run, {@code --sink-events 300000} for the runs with real
 * sinks, {@code --aggregates 10000}, {@code --rounds 3}, {@code --parallelism 2}, {@code --rate 2000} events/s and
 * {@code --warmup-seconds 20} and {@code --latency-seconds 60} for the latency run, {@code --timeline <file>} for
 * per-second figures, {@code --set.<job option> value} (the latency run takes any job option, the throughput runs
 * {@code projection.flush-interval}), {@code --only throughput|sinks|latency}, {@code --sinks both|mongodb|kafka},
 * {@code --state-backend hashmap|rocksdb} for the throughput runs, {@code --managed-memory 1280m} (RocksDB's memory,
 * for the cluster's 4 slots) and {@code --breakdown true} to measure the ordering operator alone as well.
 */
public final class JobBenchmark {

    private static final int APPENDERS = 4;
    private static final ProjectionRegistry REGISTRY = ProjectionRegistry.of(Orders.UPCASTERS,
        new OrderProjection(), new StreamSummaryProjection());
    private static final OrderingSettings ORDERING = new OrderingSettings(Duration.ofSeconds(10), Duration.ofMinutes(5),
        GapPolicy.WAIT, 10_000, 1000);

    /** The state backend of the throughput runs ({@code --state-backend}). */
    private static String stateBackend = "hashmap";
    /** The projection flush interval of the throughput runs: the job's default unless {@code --set.projection.flush-interval}. */
    private static long flushIntervalMillis = JobOptions.PROJECTION_FLUSH_INTERVAL.defaultValue().toMillis();

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        String only = options.get("only", "all");
        int parallelism = options.getInt("parallelism", 2);
        int aggregates = options.getInt("aggregates", 10_000);
        int rounds = options.getInt("rounds", 3);
        stateBackend = options.get("state-backend", stateBackend);
        String flushInterval = options.get("set." + JobOptions.PROJECTION_FLUSH_INTERVAL.key());
        if (flushInterval != null) {
            flushIntervalMillis = org.apache.flink.util.TimeUtils.parseDuration(flushInterval).toMillis();
        }
        // managed memory (RocksDB's write buffers and block cache) per slot as in flink-conf/config.yaml: about 320 MB
        try (EmbeddedFlinkCluster flink = EmbeddedFlinkCluster.builder().restPort(0).slotsPerTaskManager(4)
            .setting("taskmanager.memory.managed.size", options.get("managed-memory", "1280m")).build().start()) {
            org.apache.flink.streaming.util.TestStreamEnvironment.setAsContext(flink.miniCluster(), parallelism);
            if (only.equals("all") || only.equals("throughput")) {
                long events = options.getLong("events", 2_000_000);
                if (options.getBoolean("breakdown", false)) {
                    compare("ordering alone, discarding sink", rounds, events,
                        () -> bare(events, aggregates), () -> orderedOnly(events, aggregates));
                }
                compare("ordering + projections, discarding sinks", rounds, events,
                    () -> bare(events, aggregates), () -> projected(events, aggregates, null));
            }
            if (only.equals("all") || only.equals("sinks") || only.equals("latency")) {
                try (EmbeddedMongoServer mongo = EmbeddedMongoServer.builder().oplogCapacity(500_000).build().start();
                     EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().defaultPartitions(parallelism).build().start()) {
                    if (!only.equals("latency")) {
                        long events = options.getLong("sink-events", 300_000);
                        String sinks = options.get("sinks", "both");
                        Sinks attached = new Sinks(sinks.equals("kafka") ? null : mongo, sinks.equals("mongodb") ? null : kafka,
                            producerProperties(options));
                        compare("ordering + projections, sinks: " + sinks, rounds, events,
                            () -> bare(events, aggregates), () -> projected(events, aggregates, attached));
                    }
                    if (!only.equals("sinks")) {
                        latency(mongo, kafka, options.getInt("rate", 2000), options.getInt("warmup-seconds", 20),
                            options.getInt("latency-seconds", 60), options.get("timeline"), jobOverrides(options));
                    }
                }
            }
        }
    }

    private interface Run {
        double seconds() throws Exception;
    }

    private static void compare(String scenario, int rounds, long events, Run baseline, Run measured) throws Exception {
        baseline.seconds();
        measured.seconds(); // warm-up, not recorded
        List<Double> ratios = new ArrayList<>();
        List<Double> baseRates = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            double base = events / baseline.seconds();
            double rate = events / measured.seconds();
            baseRates.add(base);
            rates.add(rate);
            ratios.add(rate / base);
        }
        System.out.printf("| %s [%s, flush %d ms] | %,d | %,.0f | %,.0f | %.2f (rounds: %s) |%n", scenario, stateBackend,
            flushIntervalMillis, events, median(baseRates),
            median(rates), median(ratios), ratios.stream().map(r -> String.format("%.2f", r)).toList());
    }

    /** The generated events from one source subtask, keyed by aggregateId: the same input for every pipeline. */
    private static KeyedStream<EventEnvelope, String> keyedEvents(StreamExecutionEnvironment env, long events,
                                                                  int aggregates) {
        return env.fromSequence(0, events - 1).setParallelism(1)
            .map(new GeneratedEvents(aggregates)).setParallelism(1).name("generate events")
            .keyBy(event -> event.aggregateId);
    }

    /** keyBy -> process(ValueState) -> discard over the same generated events. */
    private static double bare(long events, int aggregates) throws Exception {
        StreamExecutionEnvironment env = throughputEnvironment();
        keyedEvents(env, events, aggregates)
            .process(new LastSequenceNo(), TypeInformation.of(EventEnvelope.class)).name("bare keyed state")
            .sinkTo(new DiscardingSink<>());
        return timed(env, "bare keyed pipeline");
    }

    /** The job's ordering operator alone over the same events: how the job's time splits between its stages. */
    private static double orderedOnly(long events, int aggregates) throws Exception {
        StreamExecutionEnvironment env = throughputEnvironment();
        keyedEvents(env, events, aggregates)
            .process(new OrderingFunction(ORDERING, new NoGaps()), TypeInformation.of(EventEnvelope.class)).name("order")
            .sinkTo(new DiscardingSink<>());
        return timed(env, "ordering alone");
    }

    /** The job's ordering and projection operators over the same events, into discarding or real sinks. */
    private static double projected(long events, int aggregates, Sinks sinks) throws Exception {
        StreamExecutionEnvironment env = throughputEnvironment();
        DataStream<EventEnvelope> ordered = keyedEvents(env, events, aggregates)
            .process(new OrderingFunction(ORDERING, new NoGaps()), TypeInformation.of(EventEnvelope.class)).name("order");
        DataStream<ReadModelUpdate> updates = DataStreamUtils.reinterpretAsKeyedStream(ordered, event -> event.aggregateId)
            .transform("project", TypeInformation.of(ReadModelUpdate.class), new ProjectionOperator(REGISTRY, new ProjectionFailures.Settings(1000, 2000),
                flushIntervalMillis, 20_000));
        if (sinks == null) {
            updates.sinkTo(new DiscardingSink<>());
            ordered.sinkTo(new DiscardingSink<>());
        } else {
            sinks.attach(ordered, updates);
        }
        return timed(env, sinks == null ? "ordering and projections" : "with sinks");
    }

    /** The environment of a throughput run, with the state backend of {@code --state-backend}. */
    private static StreamExecutionEnvironment throughputEnvironment() {
        org.apache.flink.configuration.Configuration configuration = new org.apache.flink.configuration.Configuration();
        configuration.set(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        env.getConfig().enableObjectReuse();
        return env;
    }

    private static double timed(StreamExecutionEnvironment env, String name) throws Exception {
        long start = System.nanoTime();
        env.execute(name);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Real sinks on the embedded MongoDB and Kafka, or only one of them; each run writes to fresh names. */
    private record Sinks(EmbeddedMongoServer mongo, EmbeddedKafkaBroker kafka, java.util.Properties producerProperties) {
        void attach(DataStream<EventEnvelope> ordered, DataStream<ReadModelUpdate> updates) {
            String run = Long.toString(System.nanoTime(), 36);
            if (mongo == null) {
                updates.sinkTo(new DiscardingSink<>());
            } else {
                for (String projection : List.of("order", "stream-summary")) {
                    updates.filter(update -> update.projection.equals(projection))
                        .sinkTo(ReadModelSinks.create(mongo.connectionString(), "bench_rm_" + run, projection,
                            JobOptions.READMODEL_BATCH_SIZE.defaultValue(),
                            JobOptions.READMODEL_BATCH_INTERVAL.defaultValue().toMillis(),
                            JobOptions.READMODEL_MAX_RETRIES.defaultValue()));
                }
            }
            if (kafka == null) {
                ordered.sinkTo(new DiscardingSink<>());
            } else {
                ordered.sinkTo(KafkaSinks.exactlyOnce(kafka.bootstrapServers(), "bench-" + run, Duration.ofMinutes(10),
                    producerProperties, new EventRecordSerializer("bench-" + run, TopicMode.PER_AGGREGATE_TYPE)));
            }
        }
    }

    /** Job options given as {@code --set.<option> value}, for example {@code --set.projection.flush-interval 50ms}. */
    private static Map<String, String> jobOverrides(ParameterTool options) {
        Map<String, String> overrides = new HashMap<>();
        options.toMap().forEach((key, value) -> {
            if (key.startsWith("set.")) {
                overrides.put(key.substring("set.".length()), value);
            }
        });
        return overrides;
    }

    /** Producer settings given as {@code --producer.<property> value}, for example {@code --producer.linger.ms 5}. */
    private static java.util.Properties producerProperties(ParameterTool options) {
        java.util.Properties properties = new java.util.Properties();
        options.toMap().forEach((key, value) -> {
            if (key.startsWith("producer.")) {
                properties.setProperty(key.substring("producer.".length()), value);
            }
        });
        return properties;
    }

    /**
     * The real job (CDC source, all sinks) while a writer appends at a steady rate: latency from the append's
     * commit (when append() returned) to the write of the stream-summary read model, seen on its change stream.
     */
    private static void latency(EmbeddedMongoServer mongo, EmbeddedKafkaBroker kafka, int rate, int warmupSeconds,
                                int seconds, String timelineFile, Map<String, String> overrides) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        Map<String, String> values = new HashMap<>();
        values.put("mongodb.uri", mongo.connectionString());
        values.put("mongodb.database", "latency_es_" + run);
        values.put("readmodel.database", "latency_rm_" + run);
        values.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        values.put("kafka.topic-prefix", "latency-" + run);
        values.put("kafka.transactional-id-prefix", "latency-" + run);
        values.put("source.startup.mode", "LATEST");
        values.put("checkpoint.interval", "5s");
        values.putAll(overrides);
        JobConfig config = JobConfig.of(values);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ProjectionJob job = new ProjectionJob(config, REGISTRY);
        job.configure(env);
        job.build(env);
        JobClient client = env.executeAsync("latency benchmark");

        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<long[]> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        try (MongoClient mongoClient = MongoClients.create(mongo.connectionString())) {
            EventStore store = EventStore.builder().mongoClient(mongoClient).database("latency_es_" + run).build();
            Thread.sleep(8000); // the LATEST source starts streaming
            Thread watcher = new Thread(() -> watch(mongoClient, "latency_rm_" + run, committedAt, latencies, timeline, running));
            watcher.start();
            AtomicLong appended = new AtomicLong();
            long measureFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
            appendAtRate(store, rate, warmupSeconds + seconds, measureFrom, committedAt, appended);
            Thread.sleep(5000);
            running.set(false);
            watcher.join();
            client.cancel().get();
            if (timelineFile != null) {
                writeTimeline(timeline, timelineFile);
            }
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(Long::compare);
            double achieved = appended.get() / (double) seconds;
            System.out.println();
            System.out.printf("Latency at %,.0f events/s for %d s after %d s of warm-up (%,d events, %,d read-model "
                    + "writes matched): commit -> read model p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                achieved, seconds, warmupSeconds, appended.get(), sorted.size(), percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), percentile(sorted, 100));
        }
    }

    /**
     * Appends at a steady total rate from {@link #APPENDERS} threads, each pacing its own share on a fixed schedule
     * over its own aggregates, so that one slow append does not lower the rate. Events committed before
     * {@code measureFrom} warm the JIT, the connections and the topics up, and are not measured.
     */
    private static void appendAtRate(EventStore store, int rate, int seconds, long measureFrom,
                                     Map<String, Long> committedAt, AtomicLong appended) throws InterruptedException {
        int aggregates = 2000;
        List<OrderTraffic.Stream> streams = OrderTraffic.plan("latency", aggregates,
            (int) ((long) rate * seconds * 2 / aggregates) + 10, 7); // twice what the rate needs: never runs out
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long intervalNanos = 1_000_000_000L * APPENDERS / rate;
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < APPENDERS; t++) {
            int first = t;
            Thread appender = new Thread(() -> {
                int[] written = new int[streams.size()];
                long next = System.nanoTime();
                try {
                    for (int i = first; System.nanoTime() < end; i += APPENDERS) {
                        int s = i % streams.size();
                        OrderTraffic.Stream stream = streams.get(s);
                        NewEvent event = stream.events().get(written[s]);
                        store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(written[s]), event);
                        long now = System.currentTimeMillis();
                        if (now >= measureFrom) {
                            committedAt.put(event.eventId(), now);
                            appended.incrementAndGet();
                        }
                        written[s]++;
                        next += intervalNanos;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "appender-" + t);
            appender.start();
            appenders.add(appender);
        }
        for (Thread appender : appenders) {
            appender.join();
        }
    }

    private static void watch(MongoClient client, String database, Map<String, Long> committedAt, List<Long> latencies,
                              List<long[]> timeline, AtomicBoolean running) {
        try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = client.getDatabase(database)
            .getCollection("stream_summaries").watch()
            .maxAwaitTime(200, java.util.concurrent.TimeUnit.MILLISECONDS).cursor()) {
            while (running.get()) {
                ChangeStreamDocument<Document> change = stream.tryNext();
                if (change == null) {
                    continue;
                }
                BsonDocument fields = change.getFullDocument() != null ? null
                    : change.getUpdateDescription() != null ? change.getUpdateDescription().getUpdatedFields() : null;
                String eventId = change.getFullDocument() != null ? change.getFullDocument().getString("lastEventId")
                    : fields != null && fields.containsKey("lastEventId") ? fields.getString("lastEventId").getValue() : null;
                Long committed = eventId == null ? null : committedAt.get(eventId);
                if (committed != null && change.getWallTime() != null) {
                    latencies.add(change.getWallTime().getValue() - committed);
                    timeline.add(new long[] {committed, change.getWallTime().getValue() - committed});
                }
            }
        }
    }

    /** Per second of commit time: events, median and worst latency; shows whether the tail is steady or bursty. */
    private static void writeTimeline(List<long[]> timeline, String file) throws java.io.IOException {
        java.util.TreeMap<Long, List<Long>> perSecond = new java.util.TreeMap<>();
        synchronized (timeline) {
            for (long[] point : timeline) {
                perSecond.computeIfAbsent(point[0] / 1000, second -> new ArrayList<>()).add(point[1]);
            }
        }
        List<String> lines = new ArrayList<>(List.of("second events p50_ms max_ms"));
        long first = perSecond.isEmpty() ? 0 : perSecond.firstKey();
        perSecond.forEach((second, values) -> {
            values.sort(Long::compare);
            lines.add((second - first) + " " + values.size() + " " + percentile(values, 50) + " " + percentile(values, 100));
        });
        java.nio.file.Files.write(java.nio.file.Path.of(file), lines);
    }

    private static long percentile(List<Long> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    /** The baseline: one ValueState update per event. */
    static final class LastSequenceNo extends KeyedProcessFunction<String, EventEnvelope, EventEnvelope> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> last;

        @Override
        public void open(OpenContext context) {
            last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", Types.LONG));
        }

        @Override
        public void processElement(EventEnvelope event, Context context, Collector<EventEnvelope> out) throws Exception {
            last.update(event.sequenceNo);
            out.collect(event);
        }
    }

    /** Generated streams have no gaps: the store is never read. */
    static final class NoGaps implements GapFiller {
        private static final long serialVersionUID = 1L;

        @Override
        public List<io.eventflow.job.source.EventDocumentReader.Result> read(String aggregateId, long from, long to,
                                                                         int limit) {
            return List.of();
        }
    }
}
