package io.eventflow.systemtests.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.java.utils.ParameterTool;
import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.devstack.testing.Await;
import io.eventflow.devstack.testing.ScriptOutput;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Latency as deployed (issue 15): MongoDB and Kafka in one process ({@code bin/devstack --only mongodb,kafka}), the
 * job on a Flink cluster of separate processes ({@code bin/cluster}: a JobManager and TaskManagers configured by
 * {@code flink-conf/}, RocksDB state), submitted as the example's application jar the way {@code bin/submit} does, and
 * this harness (writers and watcher) in a third process. Nothing shares the job's heap.
 *
 * <p>Each of {@code --runs 5} runs starts a fresh job ({@code LATEST}), warms it up for {@code --warmup-seconds 20}
 * at {@code --rate 2000} events/s, then times every event of {@code --seconds 60} from its commit to its read model
 * ({@link LatencyProbe}). Then the time to fresh: a backlog of {@code --backlog 100000} events is written with no job
 * running; the job starts from the beginning of the store (snapshot, then the change stream) while writers keep
 * appending at the rate; reported is the time from the submission to the first second of commits whose events all
 * reached their read model within 1 s, for 5 seconds in a row. Run with {@code bin/benchmark latency}; method and
 * results in BENCHMARKS.md.
 */
public final class DeployedLatencyBenchmark {

    private static final Path ROOT = Path.of(System.getProperty("eventflow.root", ".")).toAbsolutePath().normalize();
    private static final Path APP_JAR = ROOT.resolve("examples/orders/target/orders-app.jar");

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        int runs = options.getInt("runs", 5);
        int rate = options.getInt("rate", 2000);
        int warmup = options.getInt("warmup-seconds", 20);
        int seconds = options.getInt("seconds", 60);
        int backlog = options.getInt("backlog", 100_000);
        String serversGc = options.get("servers-gc", "-XX:+UseG1GC -XX:MaxGCPauseMillis=50");
        Path work = Files.createTempDirectory("deployed-latency-");
        List<Process> processes = new ArrayList<>();
        try {
            // the emulator keeps every document of every run in its heap: a low-pause collector, so that its pauses,
            // which a MongoDB server does not have, stay out of the job's latency as far as they can
            Map<String, String> servers = start(processes, work.resolve("servers"),
                Map.of("EVENTFLOW_GC", serversGc), "bin/devstack",
                "--only", "mongodb,kafka", "--mongodb-port", "0", "--kafka-port", "0");
            Map<String, String> cluster = start(processes, work.resolve("cluster"), Map.of(), "bin/cluster", "--flink-port",
                "0");
            String mongodb = servers.get("mongodb");
            System.out.println("servers: " + servers + " (collector: " + serversGc + "); cluster: " + cluster + "; load average "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            try (FlinkRestClient flink = new FlinkRestClient(cluster.get("flink"));
                 MongoClient client = MongoClients.create(mongodb)) {
                List<String> results = new ArrayList<>();
                for (int run = 1; run <= runs; run++) {
                    results.add(steadyRun(flink, client, mongodb, servers.get("kafka"), "r" + run, rate, warmup, seconds));
                    System.out.println(results.get(results.size() - 1));
                }
                String fresh = timeToFresh(flink, client, mongodb, servers.get("kafka"), rate, backlog);
                System.out.println();
                System.out.println("| run | appended events/s | events seen of timed | p50 ms | p90 ms | p99 ms | max ms |");
                System.out.println("|---|---|---|---|---|---|---|");
                results.forEach(System.out::println);
                System.out.println(fresh);
            }
        } finally {
            java.util.Collections.reverse(processes);
            for (Process process : processes) {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private static String steadyRun(FlinkRestClient flink, MongoClient client, String mongodb, String kafka, String run,
                                    int rate, int warmup, int seconds) throws Exception {
        String job = submit(flink, mongodb, kafka, run, "LATEST");
        try (LatencyProbe probe = new LatencyProbe(client, "es_" + run, "rm_" + run)) {
            awaitStreaming(client, run);
            long measureFrom = System.currentTimeMillis() + warmup * 1000L;
            long timed = probe.appendAtRate(run, rate, Duration.ofSeconds(warmup + seconds), 2000, measureFrom);
            probe.awaitAllSeen(Duration.ofSeconds(30));
            List<LatencyProbe.Point> points = probe.points();
            Files.write(Path.of("target", "latency-" + run + ".timeline"), LatencyProbe.timeline(points));
            return String.format("| %s | %,.0f | %,d of %,d | %d | %d | %d | %d |", run, timed / (double) seconds,
                points.size(), timed,
                LatencyProbe.percentile(points, 50), LatencyProbe.percentile(points, 90),
                LatencyProbe.percentile(points, 99), LatencyProbe.percentile(points, 100));
        } finally {
            flink.cancel(job);
            // each run starts on an empty server, as a new deployment would: the emulator keeps every document in its
            // JVM's heap, so earlier runs' data would only lengthen its garbage collections (a real server has none)
            client.getDatabase("es_" + run).drop();
            client.getDatabase("rm_" + run).drop();
        }
    }

    /** A backlog first, then the job from the store's beginning while the writers go on. */
    private static String timeToFresh(FlinkRestClient flink, MongoClient client, String mongodb, String kafka, int rate,
                                      int backlog) throws Exception {
        String run = "fresh";
        EventStore store = EventStore.builder().mongoClient(client).database("es_" + run).build();
        int aggregates = backlog / 20;
        long writing = System.nanoTime();
        OrderTraffic.append(store, OrderTraffic.plan("backlog", aggregates, 20, 3), 4, 5);
        System.out.printf("backlog: %,d events written in %.1f s%n", (long) aggregates * 20,
            (System.nanoTime() - writing) / 1e9);
        try (LatencyProbe probe = new LatencyProbe(client, "es_" + run, "rm_" + run)) {
            long submitted = System.currentTimeMillis();
            String job = submit(flink, mongodb, kafka, run, "INITIAL");
            try {
                probe.appendAtRate(run, rate, Duration.ofSeconds(180), 2000, submitted);
                probe.awaitAllSeen(Duration.ofSeconds(30));
            } finally {
                flink.cancel(job);
            }
            List<LatencyProbe.Point> points = probe.points();
            Files.write(Path.of("target", "latency-fresh.timeline"), LatencyProbe.timeline(points));
            long fresh = freshFrom(points);
            return fresh < 0 ? "time to fresh after a " + backlog + "-event backlog: not within 180 s"
                : String.format("time to fresh after a %,d-event backlog at %,d events/s: %.1f s from the submission",
                    backlog, rate, (fresh - submitted) / 1000.0);
        }
    }

    /** The first commit second from which 5 seconds in a row had every event in its read model within 1 s. */
    static long freshFrom(List<LatencyProbe.Point> points) {
        Map<Long, Long> worstPerSecond = new java.util.TreeMap<>();
        for (LatencyProbe.Point point : points) {
            worstPerSecond.merge(point.committedAtMillis() / 1000, point.latencyMillis(), Math::max);
        }
        List<Long> seconds = new ArrayList<>(worstPerSecond.keySet());
        for (int i = 0; i + 4 < seconds.size(); i++) {
            boolean fresh = seconds.get(i + 4) - seconds.get(i) == 4;
            for (int k = i; fresh && k < i + 5; k++) {
                fresh = worstPerSecond.get(seconds.get(k)) < 1000;
            }
            if (fresh) {
                return seconds.get(i) * 1000;
            }
        }
        return -1;
    }

    /**
     * Submits the application jar with {@code bin/submit}, in a process of its own as a user would: this JVM has the
     * job's connectors on its class path, and Flink's parent-first class loading would mix them with the jar's.
     */
    private static String submit(FlinkRestClient flink, String mongodb, String kafka, String run, String startup)
        throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/submit").toString(), "--flink", flink.baseUrl(),
            "--jar", APP_JAR.toString(), "--"));
        Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put(JobOptionKeys.MONGODB_URI, mongodb);
        values.put("mongodb.database", "es_" + run);
        values.put("readmodel.database", "rm_" + run);
        values.put(JobOptionKeys.KAFKA_BOOTSTRAP_SERVERS, kafka);
        values.put("kafka.topic-prefix", "events-" + run);
        values.put("kafka.transactional-id-prefix", "latency-" + run);
        values.put("source.startup.mode", startup);
        values.put(JobOptionKeys.JOB_NAME, "latency-" + run);
        values.forEach((key, value) -> command.addAll(List.of("--" + key, value)));
        Process submit = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(submit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        java.util.regex.Matcher submitted = java.util.regex.Pattern.compile("submitted: job ([0-9a-f]{32})").matcher(output);
        if (submit.waitFor() != 0 || !submitted.find()) {
            throw new IllegalStateException("bin/submit failed: " + output);
        }
        String job = submitted.group(1);
        flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
        return job;
    }

    /** A probe event appended now reaches its stream summary: the source streams. */
    private static void awaitStreaming(MongoClient client, String run) {
        String probe = "probe-" + UUID.randomUUID();
        EventStore.builder().mongoClient(client).database("es_" + run).build()
            .append("Probe", probe, ExpectedVersion.noStream(), NewEvent.of("ProbeSent", Map.of()));
        Await.until("the probe to be projected", Duration.ofMinutes(2), () -> client.getDatabase("rm_" + run)
            .getCollection("stream_summaries").countDocuments(new Document("_id", probe)) == 1, () -> "not yet");
    }

    /** Starts one of the scripts in a process of its own; returns the name=value lines it printed before "ready". */
    private static Map<String, String> start(List<Process> processes, Path dataDirectory, Map<String, String> environment,
                                             String... command) throws IOException {
        List<String> line = new ArrayList<>(List.of(command));
        line.set(0, ROOT.resolve(command[0]).toString());
        ProcessBuilder builder = new ProcessBuilder(line).directory(ROOT.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(dataDirectory.resolveSibling(
                dataDirectory.getFileName() + ".stderr").toFile()));
        builder.environment().put("EVENTFLOW_DATA_DIR", dataDirectory.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        Map<String, String> values = ScriptOutput.values(ScriptOutput.readUntilReady(process, Duration.ofMinutes(5)));
        if (!process.isAlive()) {
            throw new IllegalStateException(String.join(" ", command) + " ended before it was ready");
        }
        return values;
    }
}
