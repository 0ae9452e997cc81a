package io.eventflow.systemtests.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.flink.EmbeddedFlinkCluster;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.examples.orders.Orders;
import io.eventflow.examples.orders.projections.OrderProjection;
import io.eventflow.examples.orders.projections.OrdersPerCustomerProjection;
import io.eventflow.examples.orders.projections.UnitsSoldPerSkuProjection;
import io.eventflow.job.ProjectionJob;
import io.eventflow.job.config.JobConfig;
import io.eventflow.job.config.JobOptions;
import io.eventflow.job.model.Contribution;
import io.eventflow.job.model.CrossAggregateUpdate;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.ReadModelUpdate;
import io.eventflow.job.mongo.MongoConnection;
import io.eventflow.job.ordering.GapFiller;
import io.eventflow.job.ordering.GapPolicy;
import io.eventflow.job.ordering.OrderingFunction;
import io.eventflow.job.ordering.OrderingSettings;
import io.eventflow.job.projection.FlushPolicy;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.projection.ProjectionOperator;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.job.projection.crossaggregate.ContributionRouter;
import io.eventflow.job.projection.crossaggregate.CrossAggregateOperator;
import io.eventflow.job.projection.summary.StreamSummaryProjection;
import io.eventflow.job.sink.CrossAggregateCommitter;
import io.eventflow.job.sink.CrossAggregateSink;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.sink.KafkaSinks;
import io.eventflow.job.sink.ReadModelSinks;
import io.eventflow.job.sink.TopicMode;
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

    private static final ProjectionRegistry REGISTRY = ProjectionRegistry.of(Orders.UPCASTERS,
        new OrderProjection(), new StreamSummaryProjection());
    /** The Order example's cross-aggregate projections. */
    private static final ProjectionRegistry CROSS_REGISTRY = new ProjectionRegistry(List.of(),
        List.of(new OrdersPerCustomerProjection(), new UnitsSoldPerSkuProjection()), Orders.UPCASTERS);
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
        System.out.println("| pipeline | events | baseline events/s | events/s | ratio | keyed CPU µs/event, baseline "
            + "| keyed CPU µs/event | CPU ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|");
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
            if (only.equals("all") || only.equals("cross")) {
                long events = options.getLong("cross-events", 1_000_000);
                compare("ordering + per-aggregate + cross-aggregate projections, discarding sinks", rounds, events,
                    () -> projected(events, aggregates, null), () -> crossAggregate(events, aggregates, null));
                try (EmbeddedMongoServer mongo = EmbeddedMongoServer.builder().oplogCapacity(100_000).build().start()) {
                    compare("... with the cross-aggregate two-phase-commit sink on the MongoDB emulator", rounds, events,
                        () -> projected(events, aggregates, null), () -> crossAggregate(events, aggregates, mongo));
                }
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

    /**
     * Runs the baseline and the measured pipeline in alternating rounds (after one warm-up each) and prints the median
     * throughput of both, their ratio, and the CPU time the keyed subtasks spent per event (measured on their threads by
     * {@link CpuProbe}, so it does not depend on which thread won the cores) and its ratio.
     */
    private static void compare(String scenario, int rounds, long events, Run baseline, Run measured) throws Exception {
        baseline.seconds();
        measured.seconds(); // warm-up, not recorded
        List<Double> ratios = new ArrayList<>();
        List<Double> baseRates = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> baseCpu = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            CpuProbe.reset();
            double base = events / baseline.seconds();
            baseCpu.add(CpuProbe.nanos() / 1000.0 / events);
            CpuProbe.reset();
            double rate = events / measured.seconds();
            cpu.add(CpuProbe.nanos() / 1000.0 / events);
            baseRates.add(base);
            rates.add(rate);
            ratios.add(rate / base);
        }
        System.out.printf("| %s [%s, flush %d ms] | %,d | %,.0f | %,.0f | %.2f (rounds: %s) | %.2f | %.2f | %.2f |%n",
            scenario, stateBackend, flushIntervalMillis, events, median(baseRates), median(rates), median(ratios),
            ratios.stream().map(r -> String.format("%.2f", r)).toList(), median(baseCpu), median(cpu),
            median(cpu) / median(baseCpu));
    }

    /**
     * An identity map chained at the end of a keyed chain: it adds its task thread's CPU time, from open to close, to a
     * total the harness reads (the MiniCluster runs in this JVM). That is the keyed subtask's whole cost: network input,
     * deserialization, the operators and the chained sinks.
     */
    static final class CpuProbe<T> extends org.apache.flink.api.common.functions.RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
        private static final AtomicLong TOTAL = new AtomicLong();
        private transient long openedAt;

        static void reset() {
            TOTAL.set(0);
        }

        static long nanos() {
            return TOTAL.get();
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            openedAt = THREADS.getCurrentThreadCpuTime();
        }

        @Override
        public T map(T value) {
            return value;
        }

        @Override
        public void close() {
            TOTAL.addAndGet(THREADS.getCurrentThreadCpuTime() - openedAt);
        }
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
            .map(new CpuProbe<>()).name("cpu probe")
            .sinkTo(new DiscardingSink<>());
        return timed(env, "bare keyed pipeline");
    }

    /** The job's ordering operator alone over the same events: how the job's time splits between its stages. */
    private static double orderedOnly(long events, int aggregates) throws Exception {
        StreamExecutionEnvironment env = throughputEnvironment();
        keyedEvents(env, events, aggregates)
            .process(new OrderingFunction(ORDERING, new NoGaps()), TypeInformation.of(EventEnvelope.class)).name("order")
            .map(new CpuProbe<>()).name("cpu probe")
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
                FlushPolicy.every(flushIntervalMillis, 20_000)));
        if (sinks == null) {
            updates.sinkTo(new DiscardingSink<>());
            ordered.map(new CpuProbe<>()).name("cpu probe").sinkTo(new DiscardingSink<>());
        } else {
            sinks.attach(ordered, updates);
        }
        return timed(env, sinks == null ? "ordering and projections" : "with sinks");
    }

    /**
     * Ordering, the per-aggregate projections and the Order example's two cross-aggregate projections (routed,
     * keyed by document, folded), into discarding sinks or, for the cross-aggregate documents, the two-phase-commit
     * sink on the emulator (checkpoints every second, so that its commits happen during the run).
     */
    private static double crossAggregate(long events, int aggregates, EmbeddedMongoServer mongo) throws Exception {
        StreamExecutionEnvironment env = throughputEnvironment();
        if (mongo != null) {
            env.enableCheckpointing(1000);
        }
        ProjectionFailures.Settings failures = new ProjectionFailures.Settings(1000, 2000);
        DataStream<EventEnvelope> ordered = keyedEvents(env, events, aggregates)
            .process(new OrderingFunction(ORDERING, new NoGaps()), TypeInformation.of(EventEnvelope.class)).name("order");
        KeyedStream<EventEnvelope, String> byAggregate = DataStreamUtils.reinterpretAsKeyedStream(ordered,
            event -> event.aggregateId);
        byAggregate.transform("project", TypeInformation.of(ReadModelUpdate.class), new ProjectionOperator(REGISTRY,
                failures, FlushPolicy.every(flushIntervalMillis, 20_000)))
            .sinkTo(new DiscardingSink<>());
        DataStream<CrossAggregateUpdate> documents = byAggregate
            .process(new ContributionRouter(CROSS_REGISTRY, failures), TypeInformation.of(Contribution.class)).name("route")
            .keyBy(contribution -> Tuple2.of(contribution.projection, contribution.documentKey),
                Types.TUPLE(Types.STRING, Types.STRING))
            .transform("fold", TypeInformation.of(CrossAggregateUpdate.class), new CrossAggregateOperator(CROSS_REGISTRY,
                failures, FlushPolicy.every(flushIntervalMillis, 20_000)));
        if (mongo == null) {
            documents.sinkTo(new DiscardingSink<>());
        } else {
            Map<String, String> collections = new HashMap<>();
            CROSS_REGISTRY.crossAggregateProjections().forEach(p -> collections.put(p.name(), p.collection()));
            documents.sinkTo(new CrossAggregateSink(new MongoConnection(mongo.connectionString(), null, null),
                "bench_cross_" + Long.toString(System.nanoTime(), 36), collections,
                new CrossAggregateCommitter.Settings(3, Duration.ofMillis(500), 1000)));
        }
        ordered.map(new CpuProbe<>()).name("cpu probe").sinkTo(new DiscardingSink<>());
        return timed(env, mongo == null ? "cross-aggregate projections" : "cross-aggregate projections with their sink");
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
     * The real job (CDC source, all sinks) in this JVM while a writer appends at a steady rate ({@link LatencyProbe});
     * {@link DeployedLatencyBenchmark} measures the same with the servers and the cluster in processes of their own.
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

        try (MongoClient mongoClient = MongoClients.create(mongo.connectionString());
             LatencyProbe probe = new LatencyProbe(mongoClient, "latency_es_" + run, "latency_rm_" + run)) {
            Thread.sleep(8000); // the LATEST source starts streaming
            long measureFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
            long timed = probe.appendAtRate("latency", rate, Duration.ofSeconds(warmupSeconds + seconds), 2000, measureFrom);
            probe.awaitAllSeen(Duration.ofSeconds(10));
            client.cancel().get();
            List<LatencyProbe.Point> points = probe.points();
            if (timelineFile != null) {
                java.nio.file.Files.write(java.nio.file.Path.of(timelineFile), LatencyProbe.timeline(points));
            }
            System.out.println();
            System.out.printf("Latency at %,.0f events/s for %d s after %d s of warm-up (%,d events, %,d seen): commit -> "
                    + "read model p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", timed / (double) seconds, seconds,
                warmupSeconds, timed, points.size(), LatencyProbe.percentile(points, 50),
                LatencyProbe.percentile(points, 90), LatencyProbe.percentile(points, 99),
                LatencyProbe.percentile(points, 100));
        }
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
