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
import io.eventflow.writer.testdomain.Account;
import io.eventflow.writer.testdomain.Account.Command;
import io.eventflow.writer.testdomain.Account.Event;
import io.eventflow.writer.testdomain.Account.RuleViolation;
import io.eventflow.writer.testdomain.Account.Status;

/**
 * The aggregate repository's contract, run against the emulator and against a real MongoDB replica set: round trips,
 * optimistic concurrency, retries, rules, snapshots and upcasting, with the test domain's Account aggregate.
 */
public abstract class AggregateRepositoryContract {

    private static final Command OPEN = new Command.Open("alice", "EUR");

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
        store = EventStore.builder().mongoClient(client).database(databaseName).upcasters(Account.UPCASTERS).build();
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

    private AggregateRepository<Account, Command, Event> accounts(int snapshotEvery) {
        return track(AggregateRepository.builder(store, Account.DEFINITION).snapshotEvery(snapshotEvery).build());
    }

    /** A repository that never finds a snapshot: it replays every stream whole. */
    private AggregateRepository<Account, Command, Event> replayingAccounts() {
        return track(AggregateRepository.builder(store, Account.DEFINITION).snapshotCollection("no_snapshots").build());
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
        Aggregate<Account, Command, Event> account = accounts(0).load("account-1");

        assertThat(account.isNew()).isTrue();
        assertThat(account.version()).isZero();
        assertThat(account.state()).isEqualTo(Account.initial("account-1"));
    }

    @Test
    void handledCommandsAreStoredAsEventsAndLoadBackIntoTheSameState() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);

        accounts.handle("account-1", OPEN);
        accounts.handle("account-1", new Command.Credit(new BigDecimal("30.00")));
        Aggregate<Account, Command, Event> debited = accounts.handle("account-1",
            new Command.Debit(new BigDecimal("3.80")), new EventMetadata("request-9", null, Map.of()));

        Aggregate<Account, Command, Event> loaded = accounts.load("account-1");
        assertThat(loaded.version()).isEqualTo(3);
        assertThat(loaded.state()).isEqualTo(debited.state());
        assertThat(loaded.state().status()).isEqualTo(Status.OPEN);
        assertThat(loaded.state().balance()).isEqualTo(new BigDecimal("26.20")); // equals: value and scale
        List<RecordedEvent> stored = store.readStream("account-1").toList();
        assertThat(stored).extracting(RecordedEvent::eventType)
            .containsExactly("AccountOpened", "AccountCredited", "AccountDebited");
        assertThat(stored).extracting(RecordedEvent::aggregateType).containsOnly("Account");
        assertThat(stored.get(0).schemaVersion()).as("written at the current schema").isEqualTo(2);
        assertThat(stored.get(2).metadata().correlationId()).isEqualTo("request-9");
    }

    @Test
    void saveAppendsTheUncommittedEventsAtTheLoadedVersionInOneAppend() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        Aggregate<Account, Command, Event> account = accounts.load("account-1");
        account.handle(OPEN);
        account.handle(new Command.Credit(BigDecimal.TEN));
        account.handle(new Command.Note("gift"));

        var result = accounts.save(account).orElseThrow();

        assertThat(result.firstSequenceNo()).isEqualTo(1);
        assertThat(result.lastSequenceNo()).isEqualTo(3);
        assertThat(result.token().toString()).isEqualTo("account-1@3");
        assertThat(store.readStream("account-1").map(RecordedEvent::commitId).distinct().toList()).containsExactly(result.commitId());
        assertThat(account.version()).isEqualTo(3);
        assertThat(account.uncommittedEvents()).isEmpty();
        assertThat(accounts.save(account)).as("nothing left to save").isEmpty();
    }

    @Test
    void savingAnAggregateThatChangedSinceItWasLoadedFailsAndAppendsNothing() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        accounts.handle("account-1", OPEN);
        Aggregate<Account, Command, Event> stale = accounts.load("account-1");
        accounts.handle("account-1", new Command.Close());
        stale.handle(new Command.Credit(BigDecimal.ONE));

        assertThatThrownBy(() -> accounts.save(stale))
            .isInstanceOf(WrongExpectedVersionException.class)
            .hasMessageContaining("account-1");
        assertThat(store.currentVersion("account-1")).isEqualTo(2);
        assertThat(accounts.load("account-1").state().status()).isEqualTo(Status.CLOSED);
    }

    @Test
    void aBrokenRuleThrowsTheDomainExceptionAndAppendsNothing() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        accounts.handle("account-1", OPEN);
        accounts.handle("account-1", new Command.Credit(new BigDecimal("10.00")));

        assertThatThrownBy(() -> accounts.handle("account-1", new Command.Debit(new BigDecimal("20.00"))))
            .isInstanceOf(RuleViolation.class)
            .hasMessage("account account-1 (OPEN): insufficient funds: balance 10.00, debit 20.00");
        assertThatThrownBy(() -> accounts.handle("account-2", new Command.Open(" ", "EUR")))
            .isInstanceOf(RuleViolation.class)
            .hasMessage("account account-2 (NEW): an account needs an owner");
        assertThat(store.currentVersion("account-1")).isEqualTo(2);
        assertThat(store.currentVersion("account-2")).isZero();
        assertThat(accounts.stats().conflictsRetried()).as("a broken rule is never retried").isZero();
    }

    @Test
    void aFailedDecisionLeavesTheLoadedAggregateUnchanged() {
        Aggregate<Account, Command, Event> account = accounts(0).load("account-1");
        account.handle(OPEN);
        Account before = account.state();

        assertThatThrownBy(() -> account.handle(new Command.Debit(BigDecimal.ONE))).isInstanceOf(RuleViolation.class);

        assertThat(account.state()).isSameAs(before);
        assertThat(account.uncommittedEvents()).hasSize(1);
    }

    @Test
    void concurrentUpdatesOfOneAggregateAllSucceedAndTheStreamStaysContiguous() throws Exception {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        accounts.handle("account-1", OPEN);
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
                        accounts.handle("account-1", new Command.Note("note " + thread + "." + n));
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

        List<Long> sequence = store.readStream("account-1").map(RecordedEvent::sequenceNo).toList();
        assertThat(sequence).hasSize(1 + threads * notesPerThread);
        for (int i = 0; i < sequence.size(); i++) {
            assertThat(sequence.get(i)).isEqualTo(i + 1L);
        }
        assertThat(accounts.load("account-1").state().notes()).isEqualTo(threads * notesPerThread);
        assertThat(accounts.stats().conflictsRetried()).as("the threads really raced").isPositive();
    }

    @Test
    void anUpdateThatLosesEveryRaceGivesUpAfterItsBudgetWithNothingAppended() {
        AggregateRepository<Account, Command, Event> accounts = track(AggregateRepository.builder(store, Account.DEFINITION)
            .updateRetries(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(10))).build());
        accounts.handle("account-1", OPEN);

        // another writer adds a note between every load and save of this update
        assertThatThrownBy(() -> accounts.update("account-1", state -> {
            store.append("Account", "account-1", ExpectedVersion.any(), NewEvent.of("AccountNoted", Map.of("note", "meanwhile")));
            return Account.decide(state, new Command.Credit(BigDecimal.ONE));
        }))
            .isInstanceOf(UpdateConflictException.class)
            .hasMessageStartingWith("update of aggregate 'account-1' gave up after 3 attempts in ")
            .hasCauseInstanceOf(WrongExpectedVersionException.class);
        assertThat(store.readStream("account-1").map(RecordedEvent::eventType).toList())
            .containsExactly("AccountOpened", "AccountNoted", "AccountNoted", "AccountNoted");
    }

    // --- snapshots ---

    @Test
    void snapshotsAreTakenEveryNEventsAndLoadReplaysOnlyTheEventsAfterThem() throws Exception {
        AggregateRepository<Account, Command, Event> accounts = accounts(10);
        accounts.handle("account-1", OPEN);
        for (int n = 0; n < 24; n++) {
            accounts.handle("account-1", new Command.Note("note " + n));
        }
        assertThat(accounts.awaitSnapshots(Duration.ofSeconds(10))).isTrue();

        BsonDocument snapshot = snapshots().find().first();
        assertThat(snapshot.getString("_id").getValue()).isEqualTo("account-1");
        assertThat(snapshot.getString("aggregateType").getValue()).isEqualTo("Account");
        assertThat(snapshot.getInt64("version").getValue()).isEqualTo(20);
        assertThat(snapshot.getString("lastEventId").getValue())
            .isEqualTo(store.readStream("account-1", 20, 1).findFirst().orElseThrow().eventId());
        assertThat(snapshot.getInt32("schemaVersion").getValue()).isEqualTo(1);
        assertThat(snapshot.getDocument("state").getInt32("notes").getValue()).isEqualTo(19);
        assertThat(snapshot.get("takenAt").isDateTime()).isTrue();

        Aggregate<Account, Command, Event> loaded = accounts.load("account-1");
        assertThat(loaded.loadedFromSnapshot()).isTrue();
        assertThat(loaded.eventsReplayed()).isEqualTo(5);
        assertThat(loaded.version()).isEqualTo(25);
        assertThat(loaded.state()).isEqualTo(replayingAccounts().load("account-1").state());
        assertThat(accounts.stats().snapshotsWritten()).isEqualTo(2);
    }

    @Test
    void snapshotsAndFullReplaysAgreeOnRandomCommandSequences() throws Exception {
        Random random = new Random(20261123);
        for (int run = 0; run < 12; run++) {
            int every = 1 + random.nextInt(7);
            AggregateRepository<Account, Command, Event> accounts = accounts(every);
            String id = "account-" + run;
            Account expected = Account.initial(id);
            int commands = 1 + random.nextInt(40);
            for (int c = 0; c < commands; c++) {
                Command command = randomCommand(random);
                List<Event> events;
                try {
                    events = Account.decide(expected, command);
                } catch (RuleViolation refused) {
                    assertThatThrownBy(() -> accounts.handle(id, command)).isInstanceOf(RuleViolation.class)
                        .hasMessage(refused.getMessage());
                    continue;
                }
                for (Event event : events) {
                    expected = expected.apply(event);
                }
                accounts.handle(id, command);
                if (random.nextInt(4) == 0) {
                    assertThat(accounts.load(id).state()).as("run %d after command %d (snapshot every %d)", run, c, every)
                        .isEqualTo(expected);
                }
            }
            assertThat(accounts.awaitSnapshots(Duration.ofSeconds(10))).isTrue();
            Aggregate<Account, Command, Event> fromSnapshot = accounts.load(id);
            assertThat(fromSnapshot.state()).as("run %d, snapshot every %d", run, every).isEqualTo(expected);
            assertThat(replayingAccounts().load(id).state()).isEqualTo(expected);
            assertThat(fromSnapshot.version()).isEqualTo(store.currentVersion(id));
        }
    }

    private static Command randomCommand(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> new Command.Open("owner-" + random.nextInt(9), random.nextInt(10) == 0 ? "euro" : "EUR");
            case 1, 2 -> new Command.Credit(BigDecimal.valueOf(random.nextInt(5000), 2));
            case 3 -> new Command.Debit(BigDecimal.valueOf(random.nextInt(5000), 2));
            case 4 -> new Command.Close();
            default -> new Command.Note("note " + random.nextInt(1000));
        };
    }

    @Test
    void aSnapshotWithAnUnknownSchemaVersionIsIgnoredAndTheStreamReplayed() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        accounts.handle("account-1", OPEN);
        accounts.handle("account-1", new Command.Close());
        String lastEventId = store.readStream("account-1", 2, 1).findFirst().orElseThrow().eventId();
        snapshots().insertOne(snapshot("account-1", 2, lastEventId, 99, BsonDocument.parse("{status: 'OPEN'}")));

        Aggregate<Account, Command, Event> loaded = accounts.load("account-1");

        assertThat(loaded.loadedFromSnapshot()).isFalse();
        assertThat(loaded.eventsReplayed()).isEqualTo(2);
        assertThat(loaded.state().status()).isEqualTo(Status.CLOSED);
        assertThat(accounts.stats().snapshotsIgnored()).isEqualTo(1);
    }

    @Test
    void aSnapshotThatDoesNotMatchTheStreamOrDoesNotReadIsIgnored() {
        AggregateRepository<Account, Command, Event> accounts = accounts(0);
        accounts.handle("account-1", OPEN);
        accounts.handle("account-2", new Command.Open("bob", "EUR"));
        snapshots().insertOne(snapshot("account-1", 1, "an-event-of-another-stream", 1,
            BsonDocument.parse("{id: 'account-1', status: 'CLOSED', balance: 0, notes: 0}")));
        String account2Event = store.readStream("account-2").findFirst().orElseThrow().eventId();
        snapshots().insertOne(snapshot("account-2", 1, account2Event, 1, BsonDocument.parse("{status: 'NO-SUCH-STATUS'}")));

        assertThat(accounts.load("account-1").state().status()).isEqualTo(Status.OPEN);
        assertThat(accounts.load("account-2").state().status()).isEqualTo(Status.OPEN);
        assertThat(accounts.stats().snapshotsIgnored()).isEqualTo(2);
        assertThat(accounts.stats().loadsFromSnapshot()).isZero();
    }

    @Test
    void aSnapshotIsNeverReplacedByAnOlderOne() throws Exception {
        snapshots().insertOne(snapshot("account-1", 50, "later", 1, BsonDocument.parse("{}")));
        AggregateRepository<Account, Command, Event> accounts = accounts(1);

        accounts.handle("account-1", OPEN);
        assertThat(accounts.awaitSnapshots(Duration.ofSeconds(10))).isTrue();

        assertThat(snapshots().find().first().getInt64("version").getValue()).isEqualTo(50);
        assertThat(accounts.stats().snapshotsFailed()).isZero();
    }

    @Test
    void snapshotsNeedADefinitionThatCanSnapshot() {
        AggregateDefinition<Account, Command, Event> withoutSnapshots = AggregateDefinition
            .<Account, Command, Event>builder("Account")
            .initialState(Account::initial).evolve(Account::apply).event(Account.OPENED, Account.Opened.class)
            .build();

        assertThatThrownBy(() -> AggregateRepository.builder(store, withoutSnapshots).snapshotEvery(10).build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("snapshotEvery(10) needs snapshots(stateClass, schemaVersion) on the definition of Account");
    }

    private static BsonDocument snapshot(String id, long version, String lastEventId, int schemaVersion, BsonDocument state) {
        return new BsonDocument("_id", new BsonString(id)).append("aggregateType", new BsonString("Account"))
            .append("version", new BsonInt64(version)).append("lastEventId", new BsonString(lastEventId))
            .append("schemaVersion", new BsonInt32(schemaVersion)).append("state", state)
            .append("takenAt", new BsonDateTime(Instant.now().toEpochMilli()));
    }

    // --- upcasting and unknown events ---

    @Test
    void loadReadsOlderEventsThroughTheUpcasters() {
        store.append("Account", "account-1", ExpectedVersion.noStream(),
            NewEvent.builder(Account.OPENED).schemaVersion(1).payload(Map.of("owner", "alice")).build(),
            NewEvent.of("AccountCredited", Map.of("amount", new BigDecimal("2.50"))));

        Account account = accounts(0).load("account-1").state();

        assertThat(account.currency()).isEqualTo("EUR");
        assertThat(account.owner()).isEqualTo("alice");
        assertThat(account.balance()).isEqualTo(new BigDecimal("2.50"));
    }

    @Test
    void aStreamWithAnEventTheAggregateDoesNotKnowFailsToLoadNamingIt() {
        store.append("Account", "account-1", ExpectedVersion.noStream(),
            NewEvent.of(Account.OPENED, Map.of("owner", "alice", "currency", "EUR")),
            NewEvent.of("AccountTeleported", Map.of()));

        assertThatThrownBy(() -> accounts(0).load("account-1"))
            .isInstanceOf(EventSchemaException.class)
            .hasMessageContaining("(account-1#2, AccountTeleported v1) cannot be read at the current schema: Account has "
                + "no event type AccountTeleported");
    }
}
