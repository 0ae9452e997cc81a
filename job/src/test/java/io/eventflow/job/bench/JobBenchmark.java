package io.eventflow.job.bench;

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
import io.eventflow.job.config.GapPolicy;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.config.TopicMode;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.ordering.GapFiller;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.ordering.OrderingSettings;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.sink.KafkaSinks;
import io.eventflow.job.sink.ReadModelSinks;
import io.eventflow.job.testing.OrderTraffic;
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
 * {@code --latency-seconds 60} for the latency run, {@code --only throughput|sinks|latency}.
 */
public final class JobBenchmark {

    private static final ProjectionRegistry REGISTRY = ProjectionRegistry.builtIn(List.of("order", "stream-summary"));

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        String only = options.get("only", "all");
        int parallelism = options.getInt("parallelism", 2);
        int aggregates = options.getInt("aggregates", 10_000);
        int rounds = options.getInt("rounds", 3);
        try (EmbeddedFlinkCluster flink = EmbeddedFlinkCluster.builder().restPort(0).slotsPerTaskManager(4).build().start()) {
            org.apache.flink.streaming.util.TestStreamEnvironment.setAsContext(flink.miniCluster(), parallelism);
            if (only.equals("all") || only.equals("throughput")) {
                long events = options.getLong("events", 2_000_000);
                compare("ordering + projections, discarding sinks", rounds, events,
                    () -> bare(events, aggregates), () -> projected(events, aggregates, null));
            }
            if (only.equals("all") || only.equals("sinks") || only.equals("latency")) {
                try (EmbeddedMongoServer mongo = EmbeddedMongoServer.builder().oplogCapacity(500_000).build().start();
                     EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().defaultPartitions(parallelism).build().start()) {
                    if (!only.equals("latency")) {
                        long events = options.getLong("sink-events", 300_000);
                        compare("ordering + projections, MongoDB read models and exactly-once Kafka", rounds, events,
                            () -> bare(events, aggregates), () -> projected(events, aggregates, new Sinks(mongo, kafka)));
                    }
                    if (!only.equals("sinks")) {
                        latency(mongo, kafka, options.getInt("rate", 2000), options.getInt("latency-seconds", 60));
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
        System.out.printf("| %s | %,d | %,.0f | %,.0f | %.2f (rounds: %s) |%n", scenario, events, median(baseRates),
            median(rates), median(ratios), ratios.stream().map(r -> String.format("%.2f", r)).toList());
    }

    /** keyBy -> process(ValueState) -> discard over the same generated events. */
    private static double bare(long events, int aggregates) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().enableObjectReuse();
        env.fromSequence(0, events - 1).setParallelism(1).map(new GeneratedEvents(aggregates)).setParallelism(1).name("generate events")
            .keyBy(event -> event.aggregateId)
            .process(new LastSequenceNo(), TypeInformation.of(EventEnvelope.class)).name("bare keyed state")
            .sinkTo(new DiscardingSink<>());
        return timed(env, "bare keyed pipeline");
    }

    /** The job's ordering and projection operators over the same events, into discarding or real sinks. */
    private static double projected(long events, int aggregates, Sinks sinks) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        OrderingSettings settings = new OrderingSettings(Duration.ofSeconds(10), Duration.ofMinutes(5), GapPolicy.WAIT, 10_000, 1000);
        env.getConfig().enableObjectReuse();
        DataStream<EventEnvelope> ordered = env.fromSequence(0, events - 1).setParallelism(1)
            .map(new GeneratedEvents(aggregates)).setParallelism(1).name("generate events")
            .keyBy(event -> event.aggregateId)
            .process(new OrderingFunction(settings, new NoGaps()), TypeInformation.of(EventEnvelope.class)).name("order");
        DataStream<ReadModelUpdate> updates = DataStreamUtils.reinterpretAsKeyedStream(ordered, event -> event.aggregateId)
            .transform("project", TypeInformation.of(ReadModelUpdate.class), new ProjectionOperator(REGISTRY, 1000, 100, 20_000));
        if (sinks == null) {
            updates.sinkTo(new DiscardingSink<>());
            ordered.sinkTo(new DiscardingSink<>());
        } else {
            sinks.attach(ordered, updates);
        }
        return timed(env, sinks == null ? "ordering and projections" : "with sinks");
    }

    private static double timed(StreamExecutionEnvironment env, String name) throws Exception {
        long start = System.nanoTime();
        env.execute(name);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Real sinks on the embedded MongoDB and Kafka; each run writes to fresh names. */
    private record Sinks(EmbeddedMongoServer mongo, EmbeddedKafkaBroker kafka) {
        void attach(DataStream<EventEnvelope> ordered, DataStream<ReadModelUpdate> updates) {
            String run = Long.toString(System.nanoTime(), 36);
            for (String projection : List.of("order", "stream-summary")) {
                updates.filter(update -> update.projection.equals(projection))
                    .sinkTo(ReadModelSinks.create(mongo.connectionString(), "bench_rm_" + run, projection, 1000, 200, 3));
            }
            ordered.sinkTo(KafkaSinks.exactlyOnce(kafka.bootstrapServers(), "bench-" + run, Duration.ofMinutes(10),
                new java.util.Properties(), new EventRecordSerializer("bench-" + run, TopicMode.PER_AGGREGATE_TYPE)));
        }
    }

    /**
     * The real job (CDC source, all sinks) while a writer appends at a steady rate: latency from the append's
     * commit (when append() returned) to the write of the stream-summary read model, seen on its change stream.
     */
    private static void latency(EmbeddedMongoServer mongo, EmbeddedKafkaBroker kafka, int rate, int seconds) throws Exception {
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
        JobConfig config = JobConfig.of(values);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ProjectionJob job = new ProjectionJob(config, REGISTRY);
        job.configure(env);
        job.build(env);
        JobClient client = env.executeAsync("latency benchmark");

        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        try (MongoClient mongoClient = MongoClients.create(mongo.connectionString())) {
            EventStore store = EventStore.builder().mongoClient(mongoClient).database("latency_es_" + run).build();
            Thread.sleep(8000); // the LATEST source starts streaming
            Thread watcher = new Thread(() -> watch(mongoClient, "latency_rm_" + run, committedAt, latencies, running));
            watcher.start();
            List<OrderTraffic.Stream> streams = OrderTraffic.plan("latency", 2000, 1000, 7);
            long intervalNanos = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long end = next + Duration.ofSeconds(seconds).toNanos();
            int[] written = new int[streams.size()];
            AtomicLong appended = new AtomicLong();
            for (int i = 0; System.nanoTime() < end; i++) {
                int s = i % streams.size();
                OrderTraffic.Stream stream = streams.get(s);
                NewEvent event = stream.events().get(written[s]);
                store.append(stream.aggregateType(), stream.aggregateId(), ExpectedVersion.exactly(written[s]), event);
                committedAt.put(event.eventId(), System.currentTimeMillis());
                written[s]++;
                appended.incrementAndGet();
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            Thread.sleep(5000);
            running.set(false);
            watcher.join();
            client.cancel().get();
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(Long::compare);
            double achieved = appended.get() / (double) seconds;
            System.out.println();
            System.out.printf("Latency at %,.0f events/s for %d s (%,d events, %,d read-model writes matched): "
                    + "commit -> read model p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                achieved, seconds, appended.get(), sorted.size(), percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), percentile(sorted, 100));
        }
    }

    private static void watch(MongoClient client, String database, Map<String, Long> committedAt, List<Long> latencies,
                              AtomicBoolean running) {
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
                }
            }
        }
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
        public List<io.eventflow.job.source.EventDocumentReader.Result> read(String aggregateId, long from, long to) {
            return List.of();
        }
    }
}
