package io.eventflow.writer.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.java.utils.ParameterTool;
import org.bson.Document;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.writer.AppendListener;
import io.eventflow.writer.AppendResult;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Appends per second against raw driver inserts of the same documents on the same server in the same run, and
 * latency under contention. Method and results: BENCHMARKS.md. Run with {@code bin/benchmark writer}.
 *
 * <p>Options: {@code --seconds 10} per measurement, {@code --warmup 3} seconds, {@code --rounds 3} (the raw loop and
 * the append loop alternate, and the median ratio of the rounds is reported), {@code --contention-appends 2000} per
 * thread, {@code --mongo-uri} to measure against another server instead of an in-process emulator.
 */
public final class WriterBenchmark {

    private static final Map<String, Object> PAYLOAD = Map.of(
        "customerId", "customer-4711",
        "items", List.of(Map.of("sku", "book-1", "quantity", 1, "price", 12.5),
            Map.of("sku", "pen-7", "quantity", 3, "price", 1.2), Map.of("sku", "mug-2", "quantity", 1, "price", 8.0)),
        "total", 24.1,
        "currency", "EUR");

    private final MongoClient client;
    private final int seconds;
    private final int warmup;

    private WriterBenchmark(MongoClient client, int seconds, int warmup) {
        this.client = client;
        this.seconds = seconds;
        this.warmup = warmup;
    }

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        int rounds = options.getInt("rounds", 3);
        EmbeddedMongoServer server = null;
        String uri = options.get("mongo-uri", null);
        if (uri == null) {
            server = EmbeddedMongoServer.builder().oplogCapacity(200_000).build().start();
            uri = server.connectionString();
        }
        try (MongoClient client = MongoClients.create(uri)) {
            WriterBenchmark benchmark = new WriterBenchmark(client, options.getInt("seconds", 10), options.getInt("warmup", 3));
            if (!options.has("contention-only")) {
                benchmark.warmUp();
                System.out.println("| scenario | threads | raw driver (docs/s) | EventStore.append (events/s) | ratio |");
                System.out.println("|---|---|---|---|---|");
                for (int threads : List.of(1, 4)) {
                    benchmark.compare("single event, exactly(n)", threads, 1, rounds);
                    benchmark.compare("10-event batch, exactly(n)", threads, 10, rounds);
                }
            }
            int appends = options.getInt("contention-appends", 2000);
            benchmark.contention(uri, 4, 1, appends);
            benchmark.contention(uri, 4, 4, appends);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** One unrecorded pass over every loop, so that no scenario is measured with a cold JIT. */
    private void warmUp() throws Exception {
        for (int threads : List.of(1, 4)) {
            for (int batch : List.of(1, 10)) {
                measure(threads, collection -> rawLoop(collection, batch));
                measure(threads, collection -> appendLoop(collection, batch));
            }
        }
    }

    private void compare(String scenario, int threads, int batch, int rounds) throws Exception {
        List<Double> raw = new ArrayList<>();
        List<Double> appends = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            double rawRate = measure(threads, collection -> rawLoop(collection, batch));
            double appendRate = measure(threads, collection -> appendLoop(collection, batch));
            raw.add(rawRate);
            appends.add(appendRate);
            ratios.add(appendRate / rawRate);
        }
        System.out.printf("| %s | %d | %s | %s | %.2f (rounds: %s) |%n", scenario, threads, median(raw), median(appends),
            medianValue(ratios), ratios.stream().map(r -> String.format("%.2f", r)).toList());
    }

    /** Runs a loop on every thread against a fresh database; returns documents per second in the measured window. */
    private double measure(int threads, LoopFactory factory) throws Exception {
        String database = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        MongoCollection<Document> collection = client.getDatabase(database).getCollection("events")
            .withWriteConcern(WriteConcern.MAJORITY);
        collection.createIndex(Indexes.ascending("aggregateId", "sequenceNo"), new IndexOptions().unique(true));
        AtomicLong written = new AtomicLong();
        AtomicInteger phase = new AtomicInteger(); // 0 warmup, 1 measure, 2 stop
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch started = new CountDownLatch(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Loop loop = factory.create(collection);
            futures.add(pool.submit(() -> {
                started.countDown();
                while (phase.get() < 2) {
                    int documents = loop.once();
                    if (phase.get() == 1) {
                        written.addAndGet(documents);
                    }
                }
                return null;
            }));
        }
        started.await();
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
        phase.set(1);
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long measured = written.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        phase.set(2);
        try {
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        client.getDatabase(database).drop();
        return measured / elapsed;
    }

    /** Raw driver inserts of documents shaped like events. */
    private static Loop rawLoop(MongoCollection<Document> collection, int batch) {
        String aggregate = UUID.randomUUID().toString();
        long[] sequenceNo = {0};
        return () -> {
            List<Document> documents = new ArrayList<>(batch);
            String commitId = UUID.randomUUID().toString();
            for (int i = 0; i < batch; i++) {
                documents.add(new Document("_id", UUID.randomUUID().toString()).append("aggregateId", aggregate)
                    .append("aggregateType", "Order").append("sequenceNo", ++sequenceNo[0])
                    .append("eventType", "OrderCreated").append("schemaVersion", 1)
                    .append("occurredAt", java.util.Date.from(Instant.now())).append("payload", new Document(PAYLOAD))
                    .append("metadata", new Document("correlationId", commitId)).append("commitId", commitId));
            }
            if (batch == 1) {
                collection.insertOne(documents.get(0));
            } else {
                collection.insertMany(documents);
            }
            return batch;
        };
    }

    private Loop appendLoop(MongoCollection<Document> collection, int batch) {
        EventStore store = EventStore.builder().mongoClient(client)
            .database(collection.getNamespace().getDatabaseName()).collection("events").build();
        String aggregate = UUID.randomUUID().toString();
        long[] version = {0};
        return () -> {
            List<NewEvent> events = new ArrayList<>(batch);
            String correlationId = UUID.randomUUID().toString();
            for (int i = 0; i < batch; i++) {
                events.add(NewEvent.builder("OrderCreated").payload(PAYLOAD).correlationId(correlationId).build());
            }
            AppendResult result = store.append("Order", aggregate, ExpectedVersion.exactly(version[0]), events);
            version[0] = result.lastSequenceNo();
            return batch;
        };
    }

    /**
     * Threads appending to one aggregate with any(), through {@code instances} stores with their own clients (one
     * instance: the threads of one service; several: several services racing at the server). Every append must
     * finish within its retry budget.
     */
    private void contention(String uri, int threads, int instances, int appendsPerThread) throws Exception {
        String database = "bench_contention_" + UUID.randomUUID().toString().substring(0, 8);
        LatencyRecorder latencies = new LatencyRecorder();
        AtomicInteger maxAttempts = new AtomicInteger();
        AtomicLong retries = new AtomicLong();
        AppendListener listener = new AppendListener() {
            @Override
            public void onAppended(AppendResult result, Duration latency, int attempts) {
                latencies.record(latency.toNanos());
                maxAttempts.accumulateAndGet(attempts, Math::max);
            }

            @Override
            public void onRetry(String aggregateId, int attempt, Throwable cause, Duration backoff) {
                retries.incrementAndGet();
            }
        };
        List<MongoClient> clients = new ArrayList<>();
        List<EventStore> stores = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            MongoClient instanceClient = instances == 1 ? client : MongoClients.create(uri);
            clients.add(instanceClient);
            stores.add(EventStore.builder().mongoClient(instanceClient).database(database).listener(listener).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            EventStore store = stores.get(t % instances);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < appendsPerThread; i++) {
                    store.append("Order", "hot-order", ExpectedVersion.any(), List.of(NewEvent.of("OrderTouched", PAYLOAD)));
                }
                return null;
            }));
        }
        try {
            for (Future<?> future : futures) {
                future.get(); // an append that ran out of retries fails here
            }
        } finally {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long version = stores.get(0).currentVersion("hot-order");
        client.getDatabase(database).drop();
        if (instances > 1) {
            clients.forEach(MongoClient::close);
        }
        System.out.println();
        System.out.printf("Contention, %d threads through %d store instance(s), %d any() appends each to one aggregate: "
                + "all %d completed (stream version %d), %.0f appends/s, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms, "
                + "%d retries, at most %d attempts for one append%n",
            threads, instances, appendsPerThread, latencies.count(), version, latencies.count() / elapsed,
            latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.percentileMillis(100),
            retries.get(), maxAttempts.get());
    }

    private static String median(List<Double> values) {
        return String.format("%,.0f", medianValue(values));
    }

    private static double medianValue(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    @FunctionalInterface
    private interface Loop {
        /** One write; returns how many documents it wrote. */
        int once();
    }

    @FunctionalInterface
    private interface LoopFactory {
        Loop create(MongoCollection<Document> collection);
    }
}
