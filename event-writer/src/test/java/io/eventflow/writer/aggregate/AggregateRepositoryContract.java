package io.eventflow.writer.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.eventflow.devstack.testing.MongoTarget;
import io.eventflow.writer.EventMetadata;
import io.eventflow.writer.EventSchemaException;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;
import io.eventflow.writer.RecordedEvent;
import io.eventflow.writer.RetryPolicy;
import io.eventflow.writer.WrongExpectedVersionException;
import io.eventflow.writer.example.order.Order;
import io.eventflow.writer.example.order.OrderCommand;
import io.eventflow.writer.example.order.OrderEvent;
import io.eventflow.writer.example.order.OrderLine;
import io.eventflow.writer.example.order.OrderRuleViolation;
import io.eventflow.writer.example.order.OrderStatus;
import io.eventflow.writer.example.order.Orders;

/**
 * The aggregate repository's contract, run against the emulator and against a real MongoDB replica set: round trips,
 * optimistic concurrency, retries, rules, snapshots and upcasting, with the seeds' Order aggregate.
 */
public abstract class AggregateRepositoryContract {

    private static final List<OrderLine> LINES = List.of(new OrderLine("book-1", 2, new BigDecimal("12.50")),
        new OrderLine("pen-7", 1, new BigDecimal("1.20")));

    protected MongoClient client;
    protected String databaseName;
    protected EventStore store;
    private final List<AggregateRepository<?, ?, ?>> repositories = new ArrayList<>();

    /** The server the suite runs against. */
    protected abstract MongoTarget target();

    @BeforeEach
    void connect() {
        client = MongoClients.create(target().connectionString());
        databaseName = "repository_" + UUID.randomUUID().toString().substring(0, 8);
        store = EventStore.builder().mongoClient(client).database(databaseName).upcasters(Orders.UPCASTERS).build();
    }

    @AfterEach
    void disconnect() {
        if (client == null) {
            return; // the target was skipped before a client existed
        }
        repositories.forEach(AggregateRepository::close);
        client.getDatabase(databaseName).drop();
        client.close();
    }

    private AggregateRepository<Order, OrderCommand, OrderEvent> orders(int snapshotEvery) {
        return track(AggregateRepository.builder(store, Orders.DEFINITION).snapshotEvery(snapshotEvery).build());
    }

    /** A repository that never finds a snapshot: it replays every stream whole. */
    private AggregateRepository<Order, OrderCommand, OrderEvent> replayingOrders() {
        return track(AggregateRepository.builder(store, Orders.DEFINITION).snapshotCollection("no_snapshots").build());
    }

    private <R extends AggregateRepository<?, ?, ?>> R track(R repository) {
        repositories.add(repository);
        return repository;
    }

    private MongoCollection<BsonDocument> snapshots() {
        return client.getDatabase(databaseName).getCollection("events_snapshots", BsonDocument.class);
    }

    // --- load, save, handle ---

    @Test
    void anAggregateWithoutEventsLoadsNewAtVersionZero() {
        Aggregate<Order, OrderCommand, OrderEvent> order = orders(0).load("order-1");

        assertThat(order.isNew()).isTrue();
        assertThat(order.version()).isZero();
        assertThat(order.state()).isEqualTo(Order.initial("order-1"));
    }

    @Test
    void handledCommandsAreStoredAsEventsAndLoadBackIntoTheSameState() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);

        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        orders.handle("order-1", new OrderCommand.Confirm());
        Aggregate<Order, OrderCommand, OrderEvent> shipped = orders.handle("order-1", new OrderCommand.Ship("DHL", "T-1"),
            new EventMetadata("request-9", null, Map.of()));

        Aggregate<Order, OrderCommand, OrderEvent> loaded = orders.load("order-1");
        assertThat(loaded.version()).isEqualTo(3);
        assertThat(loaded.state()).isEqualTo(shipped.state());
        assertThat(loaded.state().status()).isEqualTo(OrderStatus.SHIPPED);
        assertThat(loaded.state().totalAmount()).isEqualByComparingTo("26.20");
        assertThat(loaded.state().items()).isEqualTo(LINES);
        List<RecordedEvent> stored = store.readStream("order-1").toList();
        assertThat(stored).extracting(RecordedEvent::eventType)
            .containsExactly("OrderCreated", "OrderConfirmed", "OrderShipped");
        assertThat(stored).extracting(RecordedEvent::aggregateType).containsOnly("Order");
        assertThat(stored.get(0).schemaVersion()).as("written at the current schema").isEqualTo(2);
        assertThat(stored.get(2).metadata().correlationId()).isEqualTo("request-9");
    }

    @Test
    void saveAppendsTheUncommittedEventsAtTheLoadedVersionInOneAppend() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        Aggregate<Order, OrderCommand, OrderEvent> order = orders.load("order-1");
        order.handle(new OrderCommand.Create("customer-7", "EUR", LINES));
        order.handle(new OrderCommand.Confirm());
        order.handle(new OrderCommand.AddNote("gift wrap"));

        var result = orders.save(order).orElseThrow();

        assertThat(result.firstSequenceNo()).isEqualTo(1);
        assertThat(result.lastSequenceNo()).isEqualTo(3);
        assertThat(store.readStream("order-1").map(RecordedEvent::commitId).distinct().toList()).containsExactly(result.commitId());
        assertThat(order.version()).isEqualTo(3);
        assertThat(order.uncommittedEvents()).isEmpty();
        assertThat(orders.save(order)).as("nothing left to save").isEmpty();
    }

    @Test
    void savingAnAggregateThatChangedSinceItWasLoadedFailsAndAppendsNothing() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        Aggregate<Order, OrderCommand, OrderEvent> stale = orders.load("order-1");
        orders.handle("order-1", new OrderCommand.Cancel("changed mind"));
        stale.handle(new OrderCommand.Confirm());

        assertThatThrownBy(() -> orders.save(stale))
            .isInstanceOf(WrongExpectedVersionException.class)
            .hasMessageContaining("order-1");
        assertThat(store.currentVersion("order-1")).isEqualTo(2);
        assertThat(orders.load("order-1").state().status()).isEqualTo(OrderStatus.CANCELLED);
    }

    @Test
    void aBrokenRuleThrowsTheDomainExceptionAndAppendsNothing() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));

        assertThatThrownBy(() -> orders.handle("order-1", new OrderCommand.Ship("DHL", "T-1")))
            .isInstanceOf(OrderRuleViolation.class)
            .hasMessage("order order-1 (CREATED): cannot ship unless confirmed");
        assertThatThrownBy(() -> orders.handle("order-2", new OrderCommand.Create("customer-7", "EUR", List.of())))
            .isInstanceOf(OrderRuleViolation.class)
            .hasMessage("order order-2 (NEW): an order needs at least one line");
        assertThat(store.currentVersion("order-1")).isEqualTo(1);
        assertThat(store.currentVersion("order-2")).isZero();
        assertThat(orders.stats().conflictsRetried()).as("a broken rule is never retried").isZero();
    }

    @Test
    void aFailedDecisionLeavesTheLoadedAggregateUnchanged() {
        Aggregate<Order, OrderCommand, OrderEvent> order = orders(0).load("order-1");
        order.handle(new OrderCommand.Create("customer-7", "EUR", LINES));
        Order before = order.state();

        assertThatThrownBy(() -> order.handle(new OrderCommand.Ship("DHL", "T-1"))).isInstanceOf(OrderRuleViolation.class);

        assertThat(order.state()).isSameAs(before);
        assertThat(order.uncommittedEvents()).hasSize(1);
    }

    @Test
    void concurrentUpdatesOfOneAggregateAllSucceedAndTheStreamStaysContiguous() throws Exception {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        int threads = 8;
        int notesPerThread = 15;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < notesPerThread; n++) {
                        orders.handle("order-1", new OrderCommand.AddNote("note " + thread + "." + n));
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        List<Long> sequence = store.readStream("order-1").map(RecordedEvent::sequenceNo).toList();
        assertThat(sequence).hasSize(1 + threads * notesPerThread);
        for (int i = 0; i < sequence.size(); i++) {
            assertThat(sequence.get(i)).isEqualTo(i + 1L);
        }
        assertThat(orders.load("order-1").state().notes()).isEqualTo(threads * notesPerThread);
        assertThat(orders.stats().conflictsRetried()).as("the threads really raced").isPositive();
    }

    @Test
    void anUpdateThatLosesEveryRaceGivesUpAfterItsBudgetWithNothingAppended() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = track(AggregateRepository.builder(store, Orders.DEFINITION)
            .updateRetries(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(10))).build());
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));

        // another writer adds a note between every load and save of this update
        assertThatThrownBy(() -> orders.update("order-1", state -> {
            store.append("Order", "order-1", ExpectedVersion.any(), NewEvent.of("OrderNoteAdded", Map.of("note", "meanwhile")));
            return Order.decide(state, new OrderCommand.Confirm());
        }))
            .isInstanceOf(UpdateConflictException.class)
            .hasMessageStartingWith("update of aggregate 'order-1' gave up after 3 attempts in ")
            .hasCauseInstanceOf(WrongExpectedVersionException.class);
        assertThat(store.readStream("order-1").map(RecordedEvent::eventType).toList())
            .containsExactly("OrderCreated", "OrderNoteAdded", "OrderNoteAdded", "OrderNoteAdded");
    }

    // --- snapshots ---

    @Test
    void snapshotsAreTakenEveryNEventsAndLoadReplaysOnlyTheEventsAfterThem() throws Exception {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(10);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        for (int n = 0; n < 24; n++) {
            orders.handle("order-1", new OrderCommand.AddNote("note " + n));
        }
        assertThat(orders.awaitSnapshots(Duration.ofSeconds(10))).isTrue();

        BsonDocument snapshot = snapshots().find().first();
        assertThat(snapshot.getString("_id").getValue()).isEqualTo("order-1");
        assertThat(snapshot.getString("aggregateType").getValue()).isEqualTo("Order");
        assertThat(snapshot.getInt64("version").getValue()).isEqualTo(20);
        assertThat(snapshot.getString("lastEventId").getValue())
            .isEqualTo(store.readStream("order-1", 20, 1).findFirst().orElseThrow().eventId());
        assertThat(snapshot.getInt32("schemaVersion").getValue()).isEqualTo(1);
        assertThat(snapshot.getDocument("state").getInt32("notes").getValue()).isEqualTo(19);
        assertThat(snapshot.get("takenAt").isDateTime()).isTrue();

        Aggregate<Order, OrderCommand, OrderEvent> loaded = orders.load("order-1");
        assertThat(loaded.loadedFromSnapshot()).isTrue();
        assertThat(loaded.eventsReplayed()).isEqualTo(5);
        assertThat(loaded.version()).isEqualTo(25);
        assertThat(loaded.state()).isEqualTo(replayingOrders().load("order-1").state());
        assertThat(orders.stats().snapshotsWritten()).isEqualTo(2);
    }

    @Test
    void snapshotsAndFullReplaysAgreeOnRandomCommandSequences() throws Exception {
        Random random = new Random(20261123);
        for (int run = 0; run < 12; run++) {
            int every = 1 + random.nextInt(7);
            AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(every);
            String id = "order-" + run;
            Order expected = Order.initial(id);
            int commands = 1 + random.nextInt(40);
            for (int c = 0; c < commands; c++) {
                OrderCommand command = randomCommand(random);
                List<OrderEvent> events;
                try {
                    events = Order.decide(expected, command);
                } catch (OrderRuleViolation refused) {
                    assertThatThrownBy(() -> orders.handle(id, command)).isInstanceOf(OrderRuleViolation.class)
                        .hasMessage(refused.getMessage());
                    continue;
                }
                for (OrderEvent event : events) {
                    expected = expected.apply(event);
                }
                orders.handle(id, command);
                if (random.nextInt(4) == 0) {
                    assertThat(orders.load(id).state()).as("run %d after command %d (snapshot every %d)", run, c, every)
                        .isEqualTo(expected);
                }
            }
            assertThat(orders.awaitSnapshots(Duration.ofSeconds(10))).isTrue();
            Aggregate<Order, OrderCommand, OrderEvent> fromSnapshot = orders.load(id);
            assertThat(fromSnapshot.state()).as("run %d, snapshot every %d", run, every).isEqualTo(expected);
            assertThat(replayingOrders().load(id).state()).isEqualTo(expected);
            assertThat(fromSnapshot.version()).isEqualTo(store.currentVersion(id));
        }
    }

    private static OrderCommand randomCommand(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> new OrderCommand.Create("customer-" + random.nextInt(9), random.nextInt(10) == 0 ? "euro" : "EUR",
                List.of(new OrderLine("sku-" + random.nextInt(50), random.nextInt(4),
                    BigDecimal.valueOf(random.nextInt(5000), 2))));
            case 1 -> new OrderCommand.Confirm();
            case 2 -> new OrderCommand.Ship("DHL", "T-" + random.nextInt(1000));
            case 3 -> new OrderCommand.Cancel("reason " + random.nextInt(3));
            default -> new OrderCommand.AddNote("note " + random.nextInt(1000));
        };
    }

    @Test
    void aSnapshotWithAnUnknownSchemaVersionIsIgnoredAndTheStreamReplayed() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        orders.handle("order-1", new OrderCommand.Confirm());
        String lastEventId = store.readStream("order-1", 2, 1).findFirst().orElseThrow().eventId();
        snapshots().insertOne(snapshot("order-1", 2, lastEventId, 99, BsonDocument.parse("{status: 'SHIPPED'}")));

        Aggregate<Order, OrderCommand, OrderEvent> loaded = orders.load("order-1");

        assertThat(loaded.loadedFromSnapshot()).isFalse();
        assertThat(loaded.eventsReplayed()).isEqualTo(2);
        assertThat(loaded.state().status()).isEqualTo(OrderStatus.CONFIRMED);
        assertThat(orders.stats().snapshotsIgnored()).isEqualTo(1);
    }

    @Test
    void aSnapshotThatDoesNotMatchTheStreamOrDoesNotReadIsIgnored() {
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(0);
        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        orders.handle("order-2", new OrderCommand.Create("customer-8", "EUR", LINES));
        snapshots().insertOne(snapshot("order-1", 1, "an-event-of-another-stream", 1,
            BsonDocument.parse("{id: 'order-1', status: 'SHIPPED', items: [], totalAmount: 0, notes: 0}")));
        String order2Event = store.readStream("order-2").findFirst().orElseThrow().eventId();
        snapshots().insertOne(snapshot("order-2", 1, order2Event, 1, BsonDocument.parse("{status: 'NO-SUCH-STATUS'}")));

        assertThat(orders.load("order-1").state().status()).isEqualTo(OrderStatus.CREATED);
        assertThat(orders.load("order-2").state().status()).isEqualTo(OrderStatus.CREATED);
        assertThat(orders.stats().snapshotsIgnored()).isEqualTo(2);
        assertThat(orders.stats().loadsFromSnapshot()).isZero();
    }

    @Test
    void aSnapshotIsNeverReplacedByAnOlderOne() throws Exception {
        snapshots().insertOne(snapshot("order-1", 50, "later", 1, BsonDocument.parse("{}")));
        AggregateRepository<Order, OrderCommand, OrderEvent> orders = orders(1);

        orders.handle("order-1", new OrderCommand.Create("customer-7", "EUR", LINES));
        assertThat(orders.awaitSnapshots(Duration.ofSeconds(10))).isTrue();

        assertThat(snapshots().find().first().getInt64("version").getValue()).isEqualTo(50);
        assertThat(orders.stats().snapshotsFailed()).isZero();
    }

    @Test
    void snapshotsNeedADefinitionThatCanSnapshot() {
        AggregateDefinition<Order, OrderCommand, OrderEvent> withoutSnapshots = AggregateDefinition
            .<Order, OrderCommand, OrderEvent>builder("Order")
            .initialState(Order::initial).evolve(Order::apply).event("OrderCreated", io.eventflow.writer.example.order.OrderCreated.class)
            .build();

        assertThatThrownBy(() -> AggregateRepository.builder(store, withoutSnapshots).snapshotEvery(10).build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("snapshotEvery(10) needs snapshots(stateClass, schemaVersion) on the definition of Order");
    }

    private static BsonDocument snapshot(String id, long version, String lastEventId, int schemaVersion, BsonDocument state) {
        return new BsonDocument("_id", new BsonString(id)).append("aggregateType", new BsonString("Order"))
            .append("version", new BsonInt64(version)).append("lastEventId", new BsonString(lastEventId))
            .append("schemaVersion", new BsonInt32(schemaVersion)).append("state", state)
            .append("takenAt", new BsonDateTime(Instant.now().toEpochMilli()));
    }

    // --- upcasting and unknown events ---

    @Test
    void loadReadsOlderEventsThroughTheUpcasters() {
        store.append("Order", "order-1", ExpectedVersion.noStream(), NewEvent.builder("OrderCreated").schemaVersion(1)
            .payload(Map.of("customerId", "customer-7", "items", List.of(Map.of("sku", "book-1", "qty", 3, "price", 2.5))))
            .build());

        Order order = orders(0).load("order-1").state();

        assertThat(order.currency()).isEqualTo("EUR");
        assertThat(order.items()).containsExactly(new OrderLine("book-1", 3, new BigDecimal("2.5")));
        assertThat(order.totalAmount()).isEqualByComparingTo("7.5");
    }

    @Test
    void aStreamWithAnEventTheAggregateDoesNotKnowFailsToLoadNamingIt() {
        store.append("Order", "order-1", ExpectedVersion.noStream(),
            NewEvent.of("OrderCreated", Map.of("customerId", "c", "currency", "EUR", "items", List.of())),
            NewEvent.of("OrderTeleported", Map.of()));

        assertThatThrownBy(() -> orders(0).load("order-1"))
            .isInstanceOf(EventSchemaException.class)
            .hasMessageContaining("(order-1#2, OrderTeleported v1) cannot be read at the current schema: Order has no "
                + "event type OrderTeleported");
    }
}
