package io.eventflow.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.eventflow.core.event.EventFields;
import io.eventflow.core.upcast.Upcasters;
import io.eventflow.devstack.testing.MongoTarget;

/**
 * The writer's contract, run against the emulator and against a real MongoDB replica set: numbering, concurrency,
 * atomicity, idempotency, fault handling, validation and reads.
 */
public abstract class EventStoreContract {

    protected MongoClient client;
    protected String databaseName;
    protected EventStore store;
    protected final RecordingListener listener = new RecordingListener();

    /** The server the suite runs against. */
    protected abstract MongoTarget target();

    @BeforeEach
    void connect() {
        client = MongoClients.create(target().connectionString());
        databaseName = "writer_" + UUID.randomUUID().toString().substring(0, 8);
        store = storeBuilder().build();
    }

    @AfterEach
    void disconnect() {
        if (target().supportsFailPoints()) {
            target().clearFailPoint(client);
        }
        client.getDatabase(databaseName).drop();
        client.close();
    }

    protected EventStore.Builder storeBuilder() {
        return EventStore.builder().mongoClient(client).database(databaseName).collection("events").listener(listener);
    }

    record OrderCreated(String customerId, List<String> items, double total) {
    }

    record OrderShipped(String carrier, Instant shippedAt) {
    }

    // --- appends ---

    @Test
    void appendsNumberEachStreamFromOneWithoutGaps() {
        AppendResult first = store.append("Order", "order-1", ExpectedVersion.noStream(),
            List.of(NewEvent.of("OrderCreated", new OrderCreated("c1", List.of("book"), 12.5))));
        AppendResult next = store.append("Order", "order-1", ExpectedVersion.exactly(1),
            List.of(NewEvent.of("OrderConfirmed", Map.of()), NewEvent.of("OrderShipped", new OrderShipped("DHL", Instant.now()))));
        AppendResult other = store.append("Order", "order-2", ExpectedVersion.any(),
            List.of(NewEvent.of("OrderCreated", new OrderCreated("c2", List.of(), 0))));

        assertThat(first).extracting(AppendResult::firstSequenceNo, AppendResult::lastSequenceNo).containsExactly(1L, 1L);
        assertThat(next).extracting(AppendResult::firstSequenceNo, AppendResult::lastSequenceNo).containsExactly(2L, 3L);
        assertThat(next.eventIds()).hasSize(2);
        assertThat(other.firstSequenceNo()).isEqualTo(1L);
        assertThat(store.currentVersion("order-1")).isEqualTo(3);
        assertThat(store.readStream("order-1").map(RecordedEvent::eventType).toList())
            .containsExactly("OrderCreated", "OrderConfirmed", "OrderShipped");
    }

    @Test
    void theStoredDocumentIsTheEventContract() {
        NewEvent created = NewEvent.builder("OrderCreated").payload(new OrderCreated("c1", List.of("a", "b"), 9.99))
            .schemaVersion(2).correlationId("corr-1").causationId("cmd-1").metadata("tenant", "acme").build();
        AppendResult result = store.append("Order", "order-9", ExpectedVersion.noStream(),
            List.of(created, NewEvent.of("OrderConfirmed", Map.of())));

        List<BsonDocument> stored = rawEvents().find().sort(new Document("sequenceNo", 1)).into(new ArrayList<>());
        BsonDocument document = stored.get(0);
        assertThat(document.getString("_id").getValue()).isEqualTo(created.eventId());
        assertThat(document.getString("aggregateId").getValue()).isEqualTo("order-9");
        assertThat(document.getString("aggregateType").getValue()).isEqualTo("Order");
        assertThat(document.get("sequenceNo").getBsonType()).isEqualTo(BsonType.INT64);
        assertThat(document.getString("eventType").getValue()).isEqualTo("OrderCreated");
        assertThat(document.get("schemaVersion").getBsonType()).isEqualTo(BsonType.INT32);
        assertThat(document.getInt32("schemaVersion").getValue()).isEqualTo(2);
        assertThat(document.get("occurredAt").getBsonType()).isEqualTo(BsonType.DATE_TIME);
        assertThat(document.getDocument("payload")).isEqualTo(BsonDocument.parse(
            "{customerId: 'c1', items: ['a', 'b'], total: 9.99}"));
        assertThat(document.getDocument("metadata")).isEqualTo(BsonDocument.parse(
            "{correlationId: 'corr-1', causationId: 'cmd-1', tenant: 'acme'}"));
        assertThat(stored).extracting(d -> d.getString("commitId").getValue()).containsOnly(result.commitId());
        assertThat(UUID.fromString(stored.get(1).getString("_id").getValue())).isNotNull();
    }

    @Test
    void theUniqueStreamIndexIsCreatedIdempotently() {
        storeBuilder().build();
        Document index = client.getDatabase(databaseName).getCollection("events").listIndexes().into(new ArrayList<>())
            .stream().filter(i -> i.getString("name").equals(EventFields.STREAM_INDEX_NAME)).findFirst().orElseThrow();
        assertThat(index.get("key", Document.class)).isEqualTo(new Document("aggregateId", 1).append("sequenceNo", 1));
        assertThat(index.getBoolean("unique")).isTrue();
    }

    @Test
    void aStaleExpectedVersionFailsNamingTheAggregateAndBothVersions() {
        store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of()), NewEvent.of("B", Map.of()));

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.exactly(1), NewEvent.of("C", Map.of())))
            .isInstanceOf(WrongExpectedVersionException.class)
            .hasMessage("Append to aggregate 'order-1' expected version exactly(1) but the stream is at version 2")
            .satisfies(e -> {
                WrongExpectedVersionException conflict = (WrongExpectedVersionException) e;
                assertThat(conflict.aggregateId()).isEqualTo("order-1");
                assertThat(conflict.expected()).isEqualTo(ExpectedVersion.exactly(1));
                assertThat(conflict.actualVersion()).isEqualTo(2);
            });
        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("C", Map.of())))
            .isInstanceOf(WrongExpectedVersionException.class)
            .hasMessageContaining("expected version noStream()");
        assertThat(store.currentVersion("order-1")).isEqualTo(2);
        assertThat(listener.conflicts).hasValue(2);
    }

    // --- concurrency ---

    @Test
    void eightThreadsAppendingToTenHotAggregatesKeepEveryStreamContiguous() throws Exception {
        int threads = 8;
        int appendsPerThread = 2000;
        List<String> aggregates = IntStream.range(0, 10).mapToObj(i -> "hot-" + i).toList();
        // four store instances, as four service instances would have: they race at the server, not only in-process
        List<EventStore> instances = IntStream.range(0, 4).mapToObj(i -> storeBuilder().build()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                EventStore store = instances.get(t % instances.size());
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < appendsPerThread; i++) {
                        String aggregate = aggregates.get((thread + i) % aggregates.size());
                        store.append(aggregate, ExpectedVersion.any(), NewEvent.of("Tick", Map.of("thread", thread, "i", i)));
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        long total = assertEveryStreamContiguous(aggregates);
        assertThat(total).isEqualTo((long) threads * appendsPerThread);
        assertThat(rawEvents().countDocuments()).isEqualTo(total);
    }

    @Test
    void eightThreadsUnderInjectedWriteConflictsAndUnknownCommitResultsKeepEveryStreamContiguous() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        int threads = 8;
        int appendsPerThread = 150;
        List<String> aggregates = IntStream.range(0, 16).mapToObj(i -> "faulty-" + i).toList();
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        EventStore faulty = storeBuilder()
            .retryPolicy(new RetryPolicy(50, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofSeconds(60)))
            .listener(new AppendListener() {
                @Override
                public void onRetry(String aggregateId, int attempt, Throwable cause, Duration backoff) {
                    retries.incrementAndGet();
                }
            }).build();
        java.util.concurrent.atomic.AtomicBoolean appending = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger faultsArmed = new java.util.concurrent.atomic.AtomicInteger();
        Thread injector = new Thread(() -> {
            for (int round = 0; appending.get(); round++) {
                Document failPoint = round % 2 == 0
                    ? new Document("failCommands", List.of("insert")).append("errorCode", 112)
                        .append("errorLabels", List.of("TransientTransactionError"))
                    : new Document("failCommands", List.of("commitTransaction")).append("errorCode", 91)
                        .append("errorLabels", List.of("UnknownTransactionCommitResult"));
                target().configureFailPoint(client, new Document("mode", new Document("times", 2)).append("data", failPoint));
                faultsArmed.addAndGet(2);
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fault-injector");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            injector.start();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < appendsPerThread; i++) {
                        String aggregate = aggregates.get((thread * 7 + i) % aggregates.size());
                        List<NewEvent> events = i % 3 == 0 // every third append is a 3-event transaction
                            ? List.of(NewEvent.of("Tick", Map.of("i", i)), NewEvent.of("Tock", Map.of("i", i)),
                                NewEvent.of("Tick", Map.of("i", i + 1)))
                            : List.of(NewEvent.of("Tick", Map.of("thread", thread, "i", i)));
                        faulty.append(aggregate, ExpectedVersion.any(), events);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            appending.set(false);
            injector.join();
            target().clearFailPoint(client);
            pool.shutdownNow();
        }

        long expected = 0;
        for (int i = 0; i < appendsPerThread; i++) {
            expected += (i % 3 == 0 ? 3 : 1) * threads;
        }
        long total = assertEveryStreamContiguous(aggregates);
        assertThat(total).as("events stored, every append exactly once").isEqualTo(expected);
        assertThat(rawEvents().countDocuments()).isEqualTo(expected);
        assertThat(retries.get()).as("retries after %d injected faults", faultsArmed.get()).isPositive();
        org.slf4j.LoggerFactory.getLogger(EventStoreContract.class).info("writer under faults: {} events in {} appends by {} "
            + "threads, {} faults armed, {} retries; every stream contiguous", total, threads * appendsPerThread, threads,
            faultsArmed.get(), retries.get());
    }

    /** Asserts that each stream is numbered 1, 2, 3 ... without gap or repeat; returns the events in all of them. */
    private long assertEveryStreamContiguous(List<String> aggregates) {
        long total = 0;
        for (String aggregate : aggregates) {
            List<Long> sequenceNos = store.readStream(aggregate).map(RecordedEvent::sequenceNo).toList();
            assertThat(sequenceNos).as(aggregate).containsExactlyElementsOf(
                IntStream.rangeClosed(1, sequenceNos.size()).mapToObj(Long::valueOf).toList());
            total += sequenceNos.size();
        }
        return total;
    }

    @Test
    void whenWritersRaceWithExactlyOneWinsEachVersionAndTheOthersGetWrongExpectedVersion() throws Exception {
        int threads = 8;
        int rounds = 50;
        CyclicBarrier readTogether = new CyclicBarrier(threads);
        CyclicBarrier appendTogether = new CyclicBarrier(threads);
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger losses = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        readTogether.await();
                        long version = store.currentVersion("contended");
                        appendTogether.await();
                        try {
                            store.append("contended", ExpectedVersion.exactly(version), NewEvent.of("Bid", Map.of()));
                            wins.incrementAndGet();
                        } catch (WrongExpectedVersionException e) {
                            assertThat(e.actualVersion()).isEqualTo(version + 1);
                            losses.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(wins.get()).isEqualTo(rounds);
        assertThat(losses.get()).isEqualTo(rounds * (threads - 1));
        assertThat(store.readStream("contended").map(RecordedEvent::sequenceNo).toList())
            .containsExactlyElementsOf(IntStream.rangeClosed(1, rounds).mapToObj(Long::valueOf).toList());
    }

    @Test
    void anyRetriesAfterLosingTheRaceForTheHeadAndLandsRightAfterIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of()));
        // the server reports the head position as taken twice, as when another writer got there first
        target().configureFailPoint(client, new Document("mode", new Document("times", 2))
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 11000)));

        AppendResult result = store.append("order-1", ExpectedVersion.any(), NewEvent.of("B", Map.of()));

        assertThat(result.firstSequenceNo()).isEqualTo(2);
        assertThat(listener.conflicts).hasValue(2);
        assertThat(listener.retries).hasValue(2);
        assertThat(store.readStream("order-1").map(RecordedEvent::eventType).toList()).containsExactly("A", "B");
    }

    // --- atomicity and idempotency ---

    @Test
    void aBatchWhoseThirdEventCollidesLeavesNoneOfItVisible() {
        NewEvent taken = NewEvent.of("Elsewhere", Map.of());
        store.append("other", ExpectedVersion.noStream(), taken);
        NewEvent colliding = NewEvent.builder("C").eventId(taken.eventId()).payload(Map.of("x", 1)).build();

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(),
            List.of(NewEvent.of("A", Map.of()), NewEvent.of("B", Map.of()), colliding)))
            .isInstanceOf(DuplicateEventException.class)
            .hasMessageContaining(taken.eventId());
        assertThat(store.currentVersion("order-1")).isZero();
        assertThat(rawEvents().countDocuments()).isEqualTo(1);
    }

    @Test
    void appendingTheSameEventsAgainReturnsTheFirstResultAndWritesNothing() {
        List<NewEvent> batch = List.of(NewEvent.of("A", Map.of("n", 1)), NewEvent.of("B", Map.of("n", 2)));
        NewEvent single = NewEvent.of("C", Map.of("n", 3));

        AppendResult first = store.append("order-1", ExpectedVersion.noStream(), batch);
        AppendResult again = store.append("order-1", ExpectedVersion.noStream(), batch);
        AppendResult singleFirst = store.append("order-1", ExpectedVersion.any(), single);
        AppendResult singleAgain = store.append("order-1", ExpectedVersion.any(), single);

        assertThat(again).isEqualTo(first);
        assertThat(singleAgain).isEqualTo(singleFirst);
        assertThat(rawEvents().countDocuments()).isEqualTo(3);
    }

    @Test
    void anUnknownCommitResultIsResolvedByEventIdWithoutWritingTwice() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        target().configureFailPoint(client, new Document("mode", new Document("times", 2))
            .append("data", new Document("failCommands", List.of("commitTransaction"))
                .append("writeConcernError", new Document("code", 91).append("codeName", "ShutdownInProgress")
                    .append("errmsg", "Replication is being shut down"))));

        AppendResult result = store.append("order-1", ExpectedVersion.noStream(),
            List.of(NewEvent.of("A", Map.of()), NewEvent.of("B", Map.of())));

        assertThat(result.lastSequenceNo()).isEqualTo(2);
        assertThat(rawEvents().countDocuments()).isEqualTo(2);
        assertThat(store.readStream("order-1").map(RecordedEvent::commitId).distinct().toList()).containsExactly(result.commitId());
    }

    @Test
    void aLostReplyToASingleInsertIsResolvedWithoutWritingTwice() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        target().configureFailPoint(client, new Document("mode", new Document("times", 2))
            .append("data", new Document("failCommands", List.of("insert"))
                .append("writeConcernError", new Document("code", 91).append("codeName", "ShutdownInProgress")
                    .append("errmsg", "Replication is being shut down"))));

        AppendResult result = store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of()));

        assertThat(result.lastSequenceNo()).isEqualTo(1);
        assertThat(rawEvents().countDocuments()).isEqualTo(1);
    }

    @Test
    void theSameEventIdWithDifferentContentIsADuplicateEvent() {
        NewEvent original = NewEvent.of("A", Map.of("amount", 10));
        store.append("order-1", ExpectedVersion.noStream(), original);
        NewEvent changed = NewEvent.builder("A").eventId(original.eventId()).payload(Map.of("amount", 11)).build();

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), changed))
            .isInstanceOf(DuplicateEventException.class)
            .hasMessage("Event '" + original.eventId() + "' is already stored on aggregate 'order-1' at sequenceNo 1 "
                + "with different content (eventType, schemaVersion or payload)")
            .extracting(e -> ((DuplicateEventException) e).eventId()).isEqualTo(original.eventId());
    }

    @Test
    void theSameEventIdAtAnotherPositionOrAggregateIsADuplicateEvent() {
        NewEvent first = NewEvent.of("A", Map.of());
        NewEvent second = NewEvent.of("B", Map.of());
        store.append("order-1", ExpectedVersion.noStream(), first, second);

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.exactly(2), second))
            .isInstanceOf(DuplicateEventException.class)
            .hasMessageContaining("at sequenceNo 2 of aggregate 'order-1', not at 3 as this append expects");
        assertThatThrownBy(() -> store.append("order-2", ExpectedVersion.noStream(), first))
            .isInstanceOf(DuplicateEventException.class)
            .hasMessageContaining("on aggregate 'order-1', not 'order-2'");
        assertThat(rawEvents().countDocuments()).isEqualTo(2);
    }

    // --- faults ---

    @Test
    void transientErrorsAreRetriedWithBackoff() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        target().configureFailPoint(client, new Document("mode", new Document("times", 3))
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 112)
                .append("errorLabels", List.of("TransientTransactionError"))));

        AppendResult result = store.append("order-1", ExpectedVersion.noStream(),
            List.of(NewEvent.of("A", Map.of()), NewEvent.of("B", Map.of())));

        assertThat(result.lastSequenceNo()).isEqualTo(2);
        assertThat(listener.retries).hasValue(3);
        assertThat(rawEvents().countDocuments()).isEqualTo(2);
    }

    @Test
    void droppedConnectionsAreRetried() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        target().configureFailPoint(client, new Document("mode", new Document("times", 3))
            .append("data", new Document("failCommands", List.of("insert")).append("closeConnection", true)));

        store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of()));

        assertThat(store.currentVersion("order-1")).isEqualTo(1);
        assertThat(rawEvents().countDocuments()).isEqualTo(1);
    }

    @Test
    void aNonTransientErrorSurfacesAtOnceWithItsCause() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        target().configureFailPoint(client, new Document("mode", new Document("times", 1))
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 13)));

        assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of())))
            .isInstanceOf(EventStoreException.class)
            .hasMessageStartingWith("Append to aggregate 'order-1' failed: ")
            .hasCauseInstanceOf(com.mongodb.MongoCommandException.class)
            .satisfies(e -> assertThat(((EventStoreException) e).isTransient()).isFalse());
        assertThat(listener.retries).hasValue(0);
    }

    @Test
    void retriesStopWhenThePolicyIsSpent() {
        org.junit.jupiter.api.Assumptions.assumeTrue(target().supportsFailPoints());
        EventStore impatient = storeBuilder().retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofSeconds(10))).build();
        target().configureFailPoint(client, new Document("mode", "alwaysOn")
            .append("data", new Document("failCommands", List.of("insert")).append("errorCode", 112)
                .append("errorLabels", List.of("TransientTransactionError"))));

        assertThatThrownBy(() -> impatient.append("order-1", ExpectedVersion.noStream(),
            List.of(NewEvent.of("A", Map.of()), NewEvent.of("B", Map.of()))))
            .isInstanceOf(EventStoreUnavailableException.class)
            .hasMessageContaining("Append to aggregate 'order-1' failed after 3 attempts")
            .satisfies(e -> assertThat(((EventStoreException) e).isTransient()).isTrue());
    }

    // --- validation: a clear message naming the field and value, nothing written ---

    @Test
    void invalidAppendsAreRejectedNamingTheFieldAndValueAndWriteNothing() {
        NewEvent valid = NewEvent.of("A", Map.of());
        assertRejected(() -> store.append(null, ExpectedVersion.any(), valid), "aggregateId must not be null or blank, was null");
        assertRejected(() -> store.append("  ", ExpectedVersion.any(), valid), "aggregateId must not be null or blank, was '  '");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), List.of()), "events must contain at least one event, was []");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), NewEvent.of(" ", Map.of())),
            "eventType of event #1 must not be null or blank, was ' '");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), valid, NewEvent.of(null, Map.of())),
            "eventType of event #2 must not be null or blank, was null");
        assertRejected(() -> ExpectedVersion.exactly(-1), "expectedVersion must be 0 or more, was -1");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), NewEvent.of("A", new Object())),
            "payload of event #1 (A, eventId ");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), NewEvent.of("A", "just text")),
            "must serialize to a JSON object, was STRING");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), NewEvent.of("Big", Map.of("blob", "x".repeat(17 * 1024 * 1024)))),
            "over MongoDB's limit of 16777216");
        assertRejected(() -> store.append("a", ExpectedVersion.any(), valid, valid),
            "eventId '" + valid.eventId() + "' appears twice in one append");
        EventStore small = storeBuilder().maxEventsPerAppend(2).build();
        assertRejected(() -> small.append("a", ExpectedVersion.any(), valid, NewEvent.of("B", Map.of()), NewEvent.of("C", Map.of())),
            "events: 3 in one append is more than the maximum of 2");
        assertRejected(() -> store.readStream("a", 0, 10), "fromSequenceNo must be 1 or more, was 0");
        assertRejected(() -> store.readStream("a", 1, 0), "maxCount must be 1 or more, was 0");

        assertThat(rawEvents().countDocuments()).isZero();
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    // --- reads ---

    @Test
    void streamsAreReadInOrderInPagesForwardsAndBackwards() {
        EventStore paging = storeBuilder().readBatchSize(7).build();
        for (int n = 1; n <= 50; n++) {
            paging.append("order-1", ExpectedVersion.exactly(n - 1), NewEvent.of("E" + n, Map.of("n", n)));
        }
        paging.append("order-2", ExpectedVersion.noStream(), NewEvent.of("Other", Map.of()));

        assertThat(paging.readStream("order-1").map(RecordedEvent::sequenceNo).toList())
            .containsExactlyElementsOf(IntStream.rangeClosed(1, 50).mapToObj(Long::valueOf).toList());
        assertThat(paging.readStream("order-1", 10, 15).map(RecordedEvent::sequenceNo).toList())
            .containsExactlyElementsOf(IntStream.rangeClosed(10, 24).mapToObj(Long::valueOf).toList());
        assertThat(paging.readStreamBackwards("order-1", Long.MAX_VALUE, 3).map(RecordedEvent::sequenceNo).toList())
            .containsExactly(50L, 49L, 48L);
        assertThat(paging.readStreamBackwards("order-1", 20, 100).map(RecordedEvent::sequenceNo).toList())
            .containsExactlyElementsOf(IntStream.iterate(20, n -> n >= 1, n -> n - 1).mapToObj(Long::valueOf).toList());
        assertThat(paging.readStream("missing").toList()).isEmpty();
        assertThat(paging.currentVersion("missing")).isZero();
    }

    @Test
    void timeTravelReadsTheStreamAsItStoodAtAnInstant() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int day = 0; day < 5; day++) {
            store.append("order-1", ExpectedVersion.any(), NewEvent.builder("Day" + day).occurredAt(t0.plus(Duration.ofDays(day))).build());
        }

        assertThat(store.readStreamUntil("order-1", t0.plus(Duration.ofDays(2))).map(RecordedEvent::eventType).toList())
            .containsExactly("Day0", "Day1", "Day2");
        assertThat(store.readStreamUntil("order-1", t0.minusSeconds(1)).toList()).isEmpty();
    }

    @Test
    void payloadsComeBackTypedOrAsATree() {
        Instant shippedAt = Instant.parse("2026-02-03T04:05:06.789Z");
        store.append("Order", "order-1", ExpectedVersion.noStream(), List.of(
            NewEvent.of("OrderCreated", new OrderCreated("c1", List.of("pen"), 3.5)),
            NewEvent.of("OrderShipped", new OrderShipped("UPS", shippedAt)),
            NewEvent.of("Note", new ObjectMapper().createObjectNode().put("text", "hello").put("big", Long.MAX_VALUE))));

        List<RecordedEvent> events = store.readStream("order-1").toList();

        assertThat(events.get(0).payloadAs(OrderCreated.class)).isEqualTo(new OrderCreated("c1", List.of("pen"), 3.5));
        assertThat(events.get(1).payloadAs(OrderShipped.class)).isEqualTo(new OrderShipped("UPS", shippedAt));
        JsonNode note = events.get(2).payload();
        assertThat(note.path("text").asText()).isEqualTo("hello");
        assertThat(note.path("big").longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(events.get(0).aggregateType()).isEqualTo("Order");
        assertThatThrownBy(() -> events.get(2).payloadAs(OrderCreated.class))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("payload of event " + events.get(2).eventId() + " (Note v1) cannot be read as");
    }

    @Test
    void anInjectedObjectMapperWritesAndReadsPayloads() {
        ObjectMapper snakeCase = EventStore.defaultObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        EventStore custom = storeBuilder().objectMapper(snakeCase).build();
        custom.append("order-1", ExpectedVersion.noStream(), NewEvent.of("OrderCreated", new OrderCreated("c1", List.of(), 1)));

        assertThat(rawEvents().find().first().getDocument("payload").containsKey("customer_id")).isTrue();
        assertThat(custom.readStream("order-1").findFirst().orElseThrow().payloadAs(OrderCreated.class).customerId()).isEqualTo("c1");
    }

    // --- upcasting on read ---

    /** Price v1 {amount} -> v2 {amount, currency: EUR} -> v3 {cents, currency}. */
    private static final Upcasters PRICE_HISTORY = Upcasters.builder()
        .register("PriceSet", 1, payload -> payload.put("currency", "EUR"))
        .register("PriceSet", 2, payload -> {
            payload.put("cents", Math.round(payload.remove("amount").doubleValue() * 100));
            return payload;
        })
        .build();

    @Test
    void readsReturnEveryEventAtItsCurrentSchemaThroughAChainOfUpcasters() {
        store.append("item-1", ExpectedVersion.noStream(),
            NewEvent.builder("PriceSet").schemaVersion(1).payload(Map.of("amount", 12.5)).build(),
            NewEvent.builder("PriceSet").schemaVersion(2).payload(Map.of("amount", 3.2, "currency", "USD")).build(),
            NewEvent.builder("PriceSet").schemaVersion(3).payload(Map.of("cents", 99, "currency", "GBP")).build(),
            NewEvent.of("ItemRenamed", Map.of("name", "pen")));
        EventStore upcasting = storeBuilder().upcasters(PRICE_HISTORY).build();

        List<RecordedEvent> events = upcasting.readStream("item-1").toList();

        assertThat(events).extracting(RecordedEvent::schemaVersion).containsExactly(3, 3, 3, 1);
        assertThat(events).extracting(RecordedEvent::payload).usingElementComparator(EventStoreContract::compareJson).containsExactly(json("{\"currency\":\"EUR\",\"cents\":1250}"),
            json("{\"currency\":\"USD\",\"cents\":320}"), json("{\"cents\":99,\"currency\":\"GBP\"}"),
            json("{\"name\":\"pen\"}"));
        assertThat(upcasting.readStreamBackwards("item-1", Long.MAX_VALUE, 10).map(RecordedEvent::schemaVersion).toList())
            .containsExactly(1, 3, 3, 3);
        assertThat(upcasting.readStreamUntil("item-1", Instant.now()).findFirst().orElseThrow().schemaVersion()).isEqualTo(3);
        assertThat(upcasting.readEvent(events.get(0).eventId()).orElseThrow().payload().path("cents").asLong()).isEqualTo(1250);
    }

    @Test
    void upcastingNeverRewritesTheStoredEvents() {
        store.append("item-1", ExpectedVersion.noStream(),
            NewEvent.builder("PriceSet").schemaVersion(1).payload(Map.of("amount", 12.5)).build());
        EventStore upcasting = storeBuilder().upcasters(PRICE_HISTORY).build();

        upcasting.readStream("item-1").toList();

        BsonDocument stored = rawEvents().find().first();
        assertThat(stored.getInt32("schemaVersion").getValue()).isEqualTo(1);
        assertThat(stored.getDocument("payload")).isEqualTo(BsonDocument.parse("{amount: 12.5}"));
        assertThat(store.readStream("item-1").findFirst().orElseThrow().schemaVersion())
            .as("a store without upcasters reads events as stored").isEqualTo(1);
    }

    @Test
    void anEventNewerThanTheUpcastersKnowFailsTheReadNamingIt() {
        AppendResult appended = store.append("item-1", ExpectedVersion.noStream(),
            NewEvent.builder("PriceSet").schemaVersion(4).payload(Map.of("cents", 1)).build());
        EventStore upcasting = storeBuilder().upcasters(PRICE_HISTORY).build();

        assertThatThrownBy(() -> upcasting.readStream("item-1").toList())
            .isInstanceOf(EventSchemaException.class)
            .hasMessage("event " + appended.eventIds().get(0) + " (item-1#1, PriceSet v4) cannot be read at the current "
                + "schema: the newest version of PriceSet this code knows is 3");
    }

    @Test
    void theListenerSeesAppendsConflictsAndTheirLatency() {
        store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("A", Map.of()));
        try {
            store.append("order-1", ExpectedVersion.noStream(), NewEvent.of("B", Map.of()));
        } catch (WrongExpectedVersionException expected) {
            // counted below
        }
        assertThat(listener.appended).hasSize(1);
        assertThat(listener.conflicts).hasValue(1);
        assertThat(listener.failed).hasValue(1);
        assertThat(listener.latencies).allSatisfy(latency -> assertThat(latency).isPositive());
    }

    /** 0 when equal as JSON, numbers by value whatever their width. */
    private static int compareJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
            : x.equals(y) ? 0 : 1, b) ? 0 : 1;
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    protected MongoCollection<BsonDocument> rawEvents() {
        return client.getDatabase(databaseName).getCollection("events", BsonDocument.class);
    }

    /** Counts what the store reports. */
    public static final class RecordingListener implements AppendListener {
        final List<AppendResult> appended = new CopyOnWriteArrayList<>();
        final List<Duration> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger conflicts = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<String, Integer> attemptsByAggregate = new ConcurrentHashMap<>();

        @Override
        public void onAppended(AppendResult result, Duration latency, int attempts) {
            appended.add(result);
            latencies.add(latency);
            attemptsByAggregate.merge(result.aggregateId(), attempts, Integer::sum);
        }

        @Override
        public void onConflict(String aggregateId, ExpectedVersion expected, long actualVersion) {
            conflicts.incrementAndGet();
        }

        @Override
        public void onRetry(String aggregateId, int attempt, Throwable cause, Duration backoff) {
            retries.incrementAndGet();
        }

        @Override
        public void onFailed(String aggregateId, Throwable cause) {
            failed.incrementAndGet();
        }
    }
}
