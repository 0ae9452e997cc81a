package io.eventflow.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.java.utils.ParameterTool;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.DevStack;
import io.eventflow.devstack.Foreground;
import io.eventflow.devstack.kafka.EmbeddedKafkaBroker;
import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.ops.rest.FlinkRestClient;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.aggregate.AggregateRepository;
import io.eventflow.writer.example.order.Order;
import io.eventflow.writer.example.order.OrderCommand;
import io.eventflow.writer.example.order.OrderEvent;
import io.eventflow.writer.example.order.OrderLoadGenerator;
import io.eventflow.writer.example.order.Orders;

/**
 * {@code bin/run-local}: the embedded stack, the projection job submitted to its Flink cluster through the REST API
 * (as {@code flink run} would), and the demo writer appending Order events; then a progress line every few seconds
 * until Ctrl-C, which stops everything in reverse order.
 *
 * <p>Options: {@code --rate 20} events per second, {@code --progress-seconds 5},
 * {@code --jar job/target/projection-job.jar}, and those of {@link DevStack} ({@code --mongodb-port 27017},
 * {@code --kafka-port 9092}, {@code --flink-port 8081}, {@code --data-dir .devstack}, ...).
 */
public final class RunLocal {

    private RunLocal() {
    }

    public static void main(String[] args) throws Exception {
        DemoOptions options = DemoOptions.parse(args);
        Path jar = Paths.get(options.get("jar", "job/target/projection-job.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            System.err.println("the job jar " + jar + " is missing; build it with mvn -B -DskipTests package");
            System.exit(1);
        }
        DevStack.Started stack = DevStack.start(ParameterTool.fromArgs(args));
        List<AutoCloseable> started = new ArrayList<>(stack.components());
        stack.lines().forEach(System.out::println);
        EmbeddedMongoServer mongo = stack.mongo();
        EmbeddedKafkaBroker kafka = stack.kafka();

        FlinkRestClient flink = new FlinkRestClient(stack.flink().restUrl());
        String job = flink.runJar(flink.uploadJar(jar), List.of("--mongodb.uri", mongo.connectionString(),
            "--kafka.bootstrap-servers", kafka.bootstrapServers(), "--checkpoint.interval", "5s"), null, false);
        flink.awaitAllTasksRunning(job, Duration.ofMinutes(2));
        System.out.println("job " + job + " is running: read models in readmodels.orders, events on Kafka topic events.Order");

        MongoClient client = MongoClients.create(mongo.connectionString());
        started.add(client);
        EventStore store = EventStore.builder().mongoClient(client).upcasters(Orders.UPCASTERS).build();
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = AggregateRepository.builder(store, Orders.DEFINITION)
            .snapshotEvery(100).build();
        started.add(orders);
        OrderLoadGenerator load = OrderLoadGenerator.builder(orders).ratePerSecond(options.getDouble("rate", 20)).build().start();
        started.add(load);
        System.out.println("demo writer: " + options.get("rate", "20") + " Order events/s; Ctrl-C stops everything");

        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "progress");
            thread.setDaemon(true);
            return thread;
        });
        int every = options.getInt("progress-seconds", 5);
        progress.scheduleAtFixedRate(() -> System.out.println(progressLine(flink, job, load, client)), every, every,
            TimeUnit.SECONDS);
        started.add(progress::shutdownNow);
        Foreground.runUntilStopped(started);
    }

    private static String progressLine(FlinkRestClient flink, String job, OrderLoadGenerator load, MongoClient client) {
        try {
            long stored = client.getDatabase("eventstore").getCollection("events").estimatedDocumentCount();
            long ordered = (long) flink.metricTotal(job, "eventsOrderedTotal");
            // per projection; the stream summary applies every event, so the highest is the events projected
            long projected = flink.operatorMetricSums(job, "eventsApplied").values().stream()
                .mapToLong(Double::longValue).max().orElse(0);
            long published = 0;
            for (Map.Entry<String, Double> sent : flink.operatorMetricSums(job, "numRecordsSend").entrySet()) {
                // Flink writes the operator name into metric ids with '_' for blanks and ':'
                if (sent.getKey().replace('_', ' ').contains("Publish events to Kafka")) {
                    published += sent.getValue().longValue();
                }
            }
            return String.format("appended=%d projected=%d published=%d openGaps=%d lag=%d state=%s", load.eventsAppended(),
                projected, published, (long) flink.metricTotal(job, "openGaps"), Math.max(0, stored - ordered),
                flink.job(job).state());
        } catch (RuntimeException e) {
            return "appended=" + load.eventsAppended() + " (job metrics unavailable: " + e.getMessage() + ")";
        }
    }
}
