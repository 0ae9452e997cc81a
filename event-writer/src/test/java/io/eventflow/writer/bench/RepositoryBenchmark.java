package io.eventflow.writer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.java.utils.ParameterTool;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.mongo.EmbeddedMongoServer;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;
import io.eventflow.writer.aggregate.Aggregate;
import io.eventflow.writer.aggregate.AggregateRepository;
import io.eventflow.writer.testdomain.Account;
import io.eventflow.writer.testdomain.Account.Command;
import io.eventflow.writer.testdomain.Account.Event;

/**
 * {@code AggregateRepository.load} latency for Account streams (the writer's test aggregate) of 10, 1,000 and 10,000 events, replaying the whole
 * stream and from a snapshot. The snapshot sits 50 events before the head, the average distance with snapshots every
 * 100 events. Method and results: BENCHMARKS.md. Run with {@code bin/benchmark repository}.
 *
 * <p>Options: {@code --seconds 5} of loads per case after {@code --warmup 2} seconds, {@code --lengths 10,1000,10000},
 * {@code --mongo-uri} to measure against another server instead of an in-process emulator.
 */
public final class RepositoryBenchmark {

    private static final int EVENTS_AFTER_SNAPSHOT = 50;

    public static void main(String[] args) throws Exception {
        ParameterTool options = ParameterTool.fromArgs(args);
        EmbeddedMongoServer server = null;
        String uri = options.get("mongo-uri", null);
        if (uri == null) {
            server = EmbeddedMongoServer.builder().oplogCapacity(100_000).build().start();
            uri = server.connectionString();
        }
        Duration measure = Duration.ofSeconds(options.getInt("seconds", 5));
        Duration warmup = Duration.ofSeconds(options.getInt("warmup", 2));
        try (MongoClient client = MongoClients.create(uri)) {
            EventStore store = EventStore.builder().mongoClient(client)
                .database("repository_bench_" + UUID.randomUUID().toString().substring(0, 8))
                .upcasters(Account.UPCASTERS).build();
            System.out.println("| events in stream | snapshot | events replayed | loads | p50 (ms) | p99 (ms) | mean (ms) |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String length : options.get("lengths", "10,1000,10000").split(",")) {
                int events = Integer.parseInt(length.trim());
                String id = "account-" + events;
                build(store, id, events);
                try (AggregateRepository<Account, Command, Event> replaying = AggregateRepository
                        .builder(store, Account.DEFINITION).snapshotCollection("no_snapshots").build();
                     AggregateRepository<Account, Command, Event> snapshotting = AggregateRepository
                        .builder(store, Account.DEFINITION).build()) {
                    measure(replaying, id, events, "none", warmup, measure);
                    measure(snapshotting, id, events, events > EVENTS_AFTER_SNAPSHOT ? "50 events before the head"
                        : "none (stream too short)", warmup, measure);
                }
            }
            client.getDatabase(new com.mongodb.MongoNamespace(store.namespace()).getDatabaseName()).drop();
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * Appends an account and its notes in batches; when the stream is long enough, the event 50 before the head is
     * saved through a repository that snapshots it.
     */
    private static void build(EventStore store, String id, int events) throws Exception {
        int snapshotAt = events > EVENTS_AFTER_SNAPSHOT ? events - EVENTS_AFTER_SNAPSHOT : 0;
        List<NewEvent> batch = new ArrayList<>();
        batch.add(NewEvent.builder(Account.OPENED).schemaVersion(2).payload(new Account.Opened("alice", "EUR")).build());
        long version = 0;
        for (int n = 2; n <= events; n++) {
            if (n == snapshotAt) {
                version = flush(store, id, version, batch);
                try (AggregateRepository<Account, Command, Event> snapshotEveryEvent = AggregateRepository
                        .builder(store, Account.DEFINITION).snapshotEvery(1).build()) {
                    Aggregate<Account, Command, Event> account = snapshotEveryEvent.update(id,
                        state -> Account.decide(state, new Command.Note("note " + snapshotAt)));
                    version = account.version();
                    if (!snapshotEveryEvent.awaitSnapshots(Duration.ofSeconds(30))) {
                        throw new IllegalStateException("the snapshot of " + id + " was not written");
                    }
                }
                continue;
            }
            batch.add(NewEvent.of("AccountNoted", new Account.Noted("note " + n)));
            if (batch.size() == 500) {
                version = flush(store, id, version, batch);
            }
        }
        flush(store, id, version, batch);
    }

    private static long flush(EventStore store, String id, long version, List<NewEvent> batch) {
        if (batch.isEmpty()) {
            return version;
        }
        long newVersion = store.append(Account.TYPE, id, ExpectedVersion.exactly(version), batch).newVersion();
        batch.clear();
        return newVersion;
    }

    private static void measure(AggregateRepository<Account, Command, Event> repository, String id, int events,
                                String snapshot, Duration warmup, Duration measure) {
        long warmupEnd = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < warmupEnd) {
            repository.load(id);
        }
        LatencyRecorder latencies = new LatencyRecorder();
        long replayed = 0;
        long end = System.nanoTime() + measure.toNanos();
        while (System.nanoTime() < end || latencies.count() < 20) {
            long start = System.nanoTime();
            Aggregate<Account, Command, Event> account = repository.load(id);
            latencies.record(System.nanoTime() - start);
            if (account.version() != events) {
                throw new IllegalStateException(id + " loaded at version " + account.version() + ", expected " + events);
            }
            replayed = account.eventsReplayed();
        }
        System.out.printf("| %,d | %s | %,d | %,d | %.2f | %.2f | %.2f |%n", events, snapshot, replayed, latencies.count(),
            latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.meanMillis());
    }
}
