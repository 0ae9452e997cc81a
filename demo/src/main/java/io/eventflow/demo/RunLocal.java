package io.eventflow.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.apache.flink.api.java.utils.ParameterTool;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.core.job.JobMetrics;
import io.eventflow.core.job.JobOptionKeys;
import io.eventflow.devstack.DevStack;
import io.eventflow.devstack.Foreground;
import io.eventflow.devstack.cluster.FlinkStandaloneCluster;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.examples.orders.Order;
import io.eventflow.examples.orders.OrderCommand;
import io.eventflow.examples.orders.OrderEvent;
import io.eventflow.examples.orders.OrderLoadGenerator;
import io.eventflow.examples.orders.Orders;
import io.eventflow.ops.inspect.JobJars;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.ops.submit.JobSubmission;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;

/**
 * {@code bin/run-local}: the embedded stack, a job jar submitted to its Flink cluster (as {@code flink run} would, with
 * Flink's REST client), and the demo writer appending Order events; then a progress line every few seconds until
 * Ctrl-C, which stops everything in reverse order.
 *
 * <p>Options: {@code --projections-jar} a jar of your own (an application jar with the job in it, or a jar of
 * projections only, which then runs beside {@code --job-jar}, the stock {@code job/target/projection-job.jar}); without
 * it, {@code --example-jar} runs (the Order example's application jar); {@code --load orders|none} (default {@code orders},
 * or {@code none} with {@code --projections-jar}), {@code --rate 20} events per second, {@code --progress-seconds 5},
 * and those of {@link DevStack} ({@code --mongodb-port 27017}, {@code --kafka-port 9092}, {@code --flink-port 8081},
 * {@code --data-dir .devstack}, ...). {@code --cluster} runs the job on a standalone cluster of separate processes
 * ({@link FlinkStandaloneCluster}, {@code --task-managers 2}, configured from {@code --flink-conf flink-conf}) instead
 * of the embedded MiniCluster; MongoDB and Kafka stay embedded.
 */
public final class RunLocal {

    static final String EXAMPLE_JAR = "examples/orders/target/orders-app.jar";
    static final String JOB_JAR = "job/target/projection-job.jar";
    /** Run the job on a standalone cluster of separate processes instead of the embedded MiniCluster. */
    static final String CLUSTER = "cluster";
    private static final String JOB_MAIN_CLASS = "io/eventflow/job/ProjectionJob.class";

    private RunLocal() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options;
        JobSubmission submission;
        try {
            options = DemoOptions.parse(args, Set.of(CLUSTER));
            submission = submission(options);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        String load = options.get("load", options.get("projections-jar", null) == null ? "orders" : "none");
        if (!load.equals("orders") && !load.equals("none")) {
            System.err.println("option --load has an invalid value '" + load + "': use orders or none");
            System.exit(2);
        }
        ParameterTool stackOptions = ParameterTool.fromArgs(args);
        if (options.has(CLUSTER)) {
            stackOptions = stackOptions.mergeWith(ParameterTool.fromMap(Map.of("only", "mongodb,kafka")));
        }
        DevStack.Started stack = DevStack.start(stackOptions);
        List<AutoCloseable> started = new ArrayList<>(stack.components());
        stack.lines().forEach(System.out::println);
        try {
            run(options, load, submission, stack, started);
        } catch (Exception e) {
            // the stack must not outlive a job that could not start: nothing would stop it but a kill
            System.err.println("run-local: " + e.getMessage());
            Foreground.closeAll(started);
            System.exit(1);
        }
        Foreground.runUntilStopped(started);
    }

    private static void run(DemoOptions options, String load, JobSubmission submission, DevStack.Started stack,
                            List<AutoCloseable> started) throws Exception {
        EmbeddedMongoServer mongo = stack.mongo();
        EmbeddedKafkaBroker kafka = stack.kafka();
        String flinkUrl;
        if (options.has(CLUSTER)) {
            FlinkStandaloneCluster cluster = standaloneCluster(options);
            started.add(cluster);
            flinkUrl = cluster.restUrl();
            System.out.println("flink=" + flinkUrl);
            System.out.println("cluster: a JobManager and " + cluster.taskManagers().size() + " TaskManager processes, "
                + "logs in " + cluster.logDirectory());
        } else {
            flinkUrl = stack.flink().restUrl();
        }

        MongoClient client = MongoClients.create(mongo.connectionString());
        started.add(client);
        // the event collection and its indexes, as a service's writer creates them when it starts (the job would create
        // a missing collection itself, without the writer's indexes)
        EventStore store = EventStore.builder().mongoClient(client).upcasters(Orders.UPCASTERS).build();

        FlinkRestClient flink = new FlinkRestClient(flinkUrl);
        started.add(flink);
        String job = flink.submit(submission.withArguments(List.of("--" + JobOptionKeys.MONGODB_URI,
            mongo.connectionString(), "--" + JobOptionKeys.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
            "--" + JobOptionKeys.CHECKPOINT_INTERVAL, "5s")));
        flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
        try (JobJars jars = JobJars.open(submission)) {
            System.out.println("job " + job + " is running: read models in "
                + String.join(", ", jars.readModels(List.of()).stream().map(model -> "readmodels." + model.collection())
                    .toList()) + "; events on Kafka topics events.<aggregateType>");
        }

        OrderLoadGenerator generator = null;
        if (load.equals("orders")) {
            AggregateRepository<Order, OrderCommand, OrderEvent> orders = AggregateRepository.builder(store,
                Orders.DEFINITION).snapshotEvery(100).build();
            started.add(orders);
            generator = OrderLoadGenerator.builder(orders).ratePerSecond(options.getDouble("rate", 20)).build().start();
            started.add(generator);
            System.out.println("demo writer: " + options.get("rate", "20") + " Order events/s; Ctrl-C stops everything");
        } else {
            System.out.println("no demo load: append your events to eventstore.events at " + mongo.connectionString()
                + "; Ctrl-C stops everything");
        }

        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "progress");
            thread.setDaemon(true);
            return thread;
        });
        int every = options.getInt("progress-seconds", 5);
        OrderLoadGenerator appended = generator;
        progress.scheduleAtFixedRate(() -> System.out.println(progressLine(flink, job, appended, client)), every, every,
            TimeUnit.SECONDS);
        started.add(progress::shutdownNow);
    }

    /**
     * {@code --cluster}: a standalone cluster of separate processes as {@code bin/cluster} starts one, configured by
     * {@code --flink-conf}'s {@code config.yaml} and {@code local.yaml}, in {@code <data dir>/run-local-cluster}.
     */
    private static FlinkStandaloneCluster standaloneCluster(DemoOptions options) {
        Path flinkConf = Paths.get(options.get("flink-conf", "flink-conf")).toAbsolutePath();
        return FlinkStandaloneCluster.builder()
            .taskManagers(options.getInt("task-managers", 2))
            .restPort(options.getInt("flink-port", 8081))
            .configFile(flinkConf.resolve("config.yaml"))
            .overlay(flinkConf.resolve("local.yaml"))
            .workDirectory(Paths.get(options.get("data-dir", ".devstack")).toAbsolutePath().resolve("run-local-cluster"))
            .build().start();
    }

    /** The jar to run: the example's, or the user's (with projection-job.jar if it holds projections only). */
    static JobSubmission submission(DemoOptions options) throws IOException {
        String own = options.get("projections-jar", null);
        if (own == null) {
            return JobSubmission.of(Paths.get(options.get("example-jar", EXAMPLE_JAR)).toAbsolutePath(), List.of(), List.of());
        }
        Path projections = Paths.get(own).toAbsolutePath();
        if (!Files.isRegularFile(projections)) {
            throw new IllegalArgumentException("option --projections-jar names '" + projections + "', which is not a file");
        }
        try (JarFile jar = new JarFile(projections.toFile())) {
            if (jar.getEntry(JOB_MAIN_CLASS) != null) {
                return JobSubmission.of(projections, List.of(), List.of()); // an application jar: the job is inside
            }
        }
        return JobSubmission.of(Paths.get(options.get("job-jar", JOB_JAR)).toAbsolutePath(), List.of(projections), List.of());
    }

    private static String progressLine(FlinkRestClient flink, String job, OrderLoadGenerator load, MongoClient client) {
        String appended = load == null ? "" : "appended=" + load.eventsAppended() + " ";
        try {
            long stored = client.getDatabase("eventstore").getCollection("events").estimatedDocumentCount();
            long ordered = (long) flink.metricTotal(job, JobMetrics.EVENTS_ORDERED_TOTAL);
            // per projection; the stream summary applies every event, so the highest is the events projected
            long projected = flink.operatorMetricSums(job, JobMetrics.EVENTS_APPLIED).values().stream()
                .mapToLong(Double::longValue).max().orElse(0);
            long published = 0;
            for (Map.Entry<String, Double> sent : flink.operatorMetricSums(job, "numRecordsSend").entrySet()) {
                // Flink writes the operator name into metric ids with '_' for blanks and ':'
                if (sent.getKey().replace('_', ' ').contains("Publish events to Kafka")) {
                    published += sent.getValue().longValue();
                }
            }
            return String.format("%sprojected=%d published=%d openGaps=%d lag=%d state=%s", appended, projected, published,
                (long) flink.metricTotal(job, JobMetrics.OPEN_GAPS), Math.max(0, stored - ordered), flink.job(job).state());
        } catch (RuntimeException e) {
            return appended + "(job metrics unavailable: " + e.getMessage() + ")";
        }
    }
}
