package io.eventflow.writer.aggregate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoCollection;

import io.eventflow.writer.AppendResult;
import io.eventflow.writer.EventMetadata;
import io.eventflow.writer.EventSchemaException;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.EventStoreException;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;
import io.eventflow.writer.RecordedEvent;
import io.eventflow.writer.RetryPolicy;
import io.eventflow.writer.WrongExpectedVersionException;
import io.eventflow.writer.codec.BsonJson;

/**
 * Loads aggregates from their event streams, saves their new events with optimistic concurrency, and runs
 * load → decide → save with retries, so that a service handles a command in one line:
 *
 * <pre>{@code
 * AggregateRepository<Order, OrderCommand, OrderEvent> orders = AggregateRepository
 *     .builder(store, Order.DEFINITION)
 *     .snapshotEvery(100)
 *     .build();
 *
 * orders.handle("order-42", new CreateOrder("customer-7", "EUR", lines));
 * orders.handle("order-42", new ConfirmOrder());
 * Order order = orders.load("order-42").state();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #load} replays the stream in pages, starting from the newest snapshot when there is a usable one. A
 *       snapshot is used only if its schema version is the definition's and the stored event it claims to follow is
 *       really at its version; otherwise the whole stream is replayed. Events are read at their current schema (the
 *       store's upcasters).</li>
 *   <li>{@link #save} appends the uncommitted events with {@code ExpectedVersion.exactly(loadedVersion)}: a concurrent
 *       change fails it with {@link WrongExpectedVersionException} instead of writing a decision taken on a stale
 *       state.</li>
 *   <li>{@link #update} and {@link #handle} load, decide and save, and on a conflict load again and decide again, with
 *       jittered exponential backoff, within the update retry policy; then they give up with
 *       {@link UpdateConflictException}. A rule the decision breaks (any exception it throws) ends the update at once
 *       with nothing appended.</li>
 *   <li>With {@link Builder#snapshotEvery(int)}, a save whose events reach or pass a multiple of {@code n} (versions
 *       n, 2n, ...) queues a snapshot of the new state into {@code <events>_snapshots}. The state is serialized on the caller's
 *       thread (it may be mutable); the write happens in the background.</li>
 * </ul>
 *
 * Thread-safe. Close it to write the snapshots still queued.
 */
public final class AggregateRepository<S, C, E> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AggregateRepository.class);

    /** 30 attempts, 2 ms doubling up to 200 ms with full jitter, at most 30 s in all. */
    public static final RetryPolicy DEFAULT_UPDATE_RETRIES = new RetryPolicy(30, Duration.ofMillis(2),
        Duration.ofMillis(200), Duration.ofSeconds(30));

    private final EventStore store;
    private final AggregateDefinition<S, C, E> definition;
    private final ObjectMapper mapper;
    private final ObjectMapper writingMapper;
    private final RetryPolicy updateRetries;
    private final int snapshotEvery;
    private final SnapshotStore snapshots;
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong loadsFromSnapshot = new AtomicLong();
    private final AtomicLong eventsReplayed = new AtomicLong();
    private final AtomicLong snapshotsIgnored = new AtomicLong();
    private final AtomicLong conflictsRetried = new AtomicLong();

    private AggregateRepository(Builder<S, C, E> builder) {
        this.store = builder.store;
        this.definition = builder.definition;
        this.mapper = store.objectMapper();
        this.writingMapper = BsonJson.writingMapper(mapper);
        this.updateRetries = builder.updateRetries;
        this.snapshotEvery = builder.snapshotEvery;
        if (definition.snapshots()) {
            MongoNamespace events = new MongoNamespace(store.namespace());
            String collection = builder.snapshotCollection != null ? builder.snapshotCollection
                : events.getCollectionName() + "_snapshots";
            MongoCollection<BsonDocument> snapshotCollection = store.client().getDatabase(events.getDatabaseName())
                .getCollection(collection, BsonDocument.class);
            this.snapshots = new SnapshotStore(snapshotCollection, builder.snapshotQueueCapacity);
        } else {
            this.snapshots = null;
        }
    }

    /** A repository of one kind of aggregate, stored in {@code store}. */
    public static <S, C, E> Builder<S, C, E> builder(EventStore store, AggregateDefinition<S, C, E> definition) {
        return new Builder<>(store, definition);
    }

    /**
     * The aggregate at its current version; a new aggregate (version 0, initial state) if its stream does not exist.
     *
     * @throws EventSchemaException if a stored event has a type this aggregate does not know, a schema version newer
     *                              than the upcasters know, or a payload that does not map to its class
     */
    public Aggregate<S, C, E> load(String aggregateId) {
        requireId(aggregateId);
        loads.incrementAndGet();
        Optional<Aggregate<S, C, E>> fromSnapshot = snapshots == null ? Optional.empty() : loadFromSnapshot(aggregateId);
        if (fromSnapshot.isPresent()) {
            loadsFromSnapshot.incrementAndGet();
            return fromSnapshot.get();
        }
        S state = definition.initialState(aggregateId);
        long version = 0;
        long replayed = 0;
        try (Stream<RecordedEvent> events = store.readStream(aggregateId)) {
            Iterator<RecordedEvent> iterator = events.iterator();
            while (iterator.hasNext()) {
                RecordedEvent event = iterator.next();
                state = definition.evolve(state, toEvent(event));
                version = event.sequenceNo();
                replayed++;
            }
        }
        eventsReplayed.addAndGet(replayed);
        return new Aggregate<>(aggregateId, definition, state, version, replayed, false);
    }

    private Optional<Aggregate<S, C, E>> loadFromSnapshot(String aggregateId) {
        Optional<Snapshot> found = snapshots.read(aggregateId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = found.get();
        String unusable = unusable(snapshot);
        S state = null;
        if (unusable == null) {
            try {
                state = mapper.treeToValue(BsonJson.toJson(snapshot.state()), definition.snapshotStateClass());
            } catch (JsonProcessingException | IllegalArgumentException e) {
                unusable = "its state does not read as " + definition.snapshotStateClass().getName() + ": " + e.getMessage();
            }
        }
        if (unusable != null) {
            return ignore(snapshot, unusable);
        }
        long version = snapshot.version();
        long replayed = 0;
        // read from the snapshot's own last event, to check that the snapshot belongs to this stream
        try (Stream<RecordedEvent> events = store.readStream(aggregateId, snapshot.version(), Long.MAX_VALUE)) {
            Iterator<RecordedEvent> iterator = events.iterator();
            RecordedEvent anchor = iterator.hasNext() ? iterator.next() : null;
            if (anchor == null || anchor.sequenceNo() != snapshot.version() || !anchor.eventId().equals(snapshot.lastEventId())) {
                return ignore(snapshot, "the stream has no event " + snapshot.lastEventId() + " at version " + snapshot.version());
            }
            while (iterator.hasNext()) {
                RecordedEvent event = iterator.next();
                state = definition.evolve(state, toEvent(event));
                version = event.sequenceNo();
                replayed++;
            }
        }
        eventsReplayed.addAndGet(replayed);
        return Optional.of(new Aggregate<>(aggregateId, definition, state, version, replayed, true));
    }

    private String unusable(Snapshot snapshot) {
        if (snapshot.schemaVersion() != definition.snapshotSchemaVersion()) {
            return "its schemaVersion " + snapshot.schemaVersion() + " is not the current "
                + definition.snapshotSchemaVersion();
        }
        if (!definition.aggregateType().equals(snapshot.aggregateType())) {
            return "it is of aggregate type " + snapshot.aggregateType() + ", not " + definition.aggregateType();
        }
        if (snapshot.version() < 1 || snapshot.lastEventId() == null || snapshot.state() == null) {
            return "it lacks version, lastEventId or state";
        }
        return null;
    }

    private Optional<Aggregate<S, C, E>> ignore(Snapshot snapshot, String reason) {
        snapshotsIgnored.incrementAndGet();
        log.warn("snapshot of {} at version {} ignored, replaying the whole stream: {}", snapshot.aggregateId(),
            snapshot.version(), reason);
        return Optional.empty();
    }

    private E toEvent(RecordedEvent event) {
        Class<? extends E> eventClass = definition.eventClass(event.eventType()).orElseThrow(() ->
            new EventSchemaException(event, definition.aggregateType() + " has no event type " + event.eventType(), null));
        try {
            return event.payloadAs(eventClass);
        } catch (IllegalArgumentException e) {
            throw new EventSchemaException(event, e.getMessage(), e);
        }
    }

    /** Saves the uncommitted events; see {@link #save(Aggregate, EventMetadata)}. */
    public Optional<AppendResult> save(Aggregate<S, C, E> aggregate) {
        return save(aggregate, EventMetadata.EMPTY);
    }

    /**
     * Appends the aggregate's uncommitted events, in one append, expecting the stream to be at the version the
     * aggregate was loaded at; then the aggregate is at the new version with nothing uncommitted.
     *
     * @param metadata stored with every event (correlation and causation ids, ...)
     * @return what was appended, or empty if there was nothing to save
     * @throws WrongExpectedVersionException if the stream changed since the aggregate was loaded; the aggregate is left
     *                                       as it was, and should be loaded again
     */
    public Optional<AppendResult> save(Aggregate<S, C, E> aggregate, EventMetadata metadata) {
        Objects.requireNonNull(aggregate, "aggregate");
        Objects.requireNonNull(metadata, "metadata");
        if (aggregate.definition() != definition) {
            throw new IllegalArgumentException("aggregate " + aggregate.id() + " is a " + aggregate.definition().aggregateType()
                + ", not a " + definition.aggregateType() + " of this repository");
        }
        List<E> events = aggregate.uncommittedEvents();
        if (events.isEmpty()) {
            return Optional.empty();
        }
        List<NewEvent> newEvents = new ArrayList<>(events.size());
        for (E event : events) {
            String type = definition.eventType(event);
            newEvents.add(NewEvent.builder(type).schemaVersion(store.upcasters().currentVersion(type))
                .payload(event).metadata(metadata).build());
        }
        AppendResult result = store.append(definition.aggregateType(), aggregate.id(),
            ExpectedVersion.exactly(aggregate.version()), newEvents);
        aggregate.saved(result.newVersion());
        maybeSnapshot(aggregate, result);
        return Optional.of(result);
    }

    private void maybeSnapshot(Aggregate<S, C, E> aggregate, AppendResult result) {
        if (snapshots == null || snapshotEvery <= 0) {
            return;
        }
        // a multi-event append may jump over the multiple of n, so test whether it crossed one
        boolean crossed = result.lastSequenceNo() / snapshotEvery > (result.firstSequenceNo() - 1) / snapshotEvery;
        if (!crossed) {
            return;
        }
        BsonValue state;
        try {
            JsonNode tree = writingMapper.valueToTree(aggregate.state());
            state = BsonJson.toBson(tree);
        } catch (IllegalArgumentException e) {
            log.warn("state of {} at version {} cannot be snapshotted: {}", aggregate.id(), result.newVersion(), e.getMessage());
            return;
        }
        if (!(state instanceof BsonDocument document)) {
            log.warn("state of {} is not written as a JSON object, so it is not snapshotted", aggregate.id());
            return;
        }
        List<String> eventIds = result.eventIds();
        snapshots.writeLater(new Snapshot(aggregate.id(), definition.aggregateType(), result.newVersion(),
            eventIds.get(eventIds.size() - 1), definition.snapshotSchemaVersion(), document, Instant.now()));
    }

    /** Handles a command; see {@link #update(String, Function, EventMetadata)}. */
    public Aggregate<S, C, E> handle(String aggregateId, C command) {
        return handle(aggregateId, command, EventMetadata.EMPTY);
    }

    /** Handles a command with the definition's command handler; see {@link #update(String, Function, EventMetadata)}. */
    public Aggregate<S, C, E> handle(String aggregateId, C command, EventMetadata metadata) {
        Objects.requireNonNull(command, "command");
        return update(aggregateId, state -> definition.decide(state, command), metadata);
    }

    /** Load → decide → save with retries; see {@link #update(String, Function, EventMetadata)}. */
    public Aggregate<S, C, E> update(String aggregateId, Function<S, List<? extends E>> decision) {
        return update(aggregateId, decision, EventMetadata.EMPTY);
    }

    /**
     * Loads the aggregate, applies the decision to its state, and saves the resulting events. If another writer
     * changed the aggregate in between, it is loaded again and the decision taken again on the new state, after a
     * jittered backoff, within the update retry policy.
     *
     * @return the aggregate after the save (unchanged if the decision produced no event)
     * @throws UpdateConflictException if every attempt of the budget met a concurrent change; nothing was appended
     * @throws RuntimeException        whatever the decision throws (a broken rule), at once; nothing was appended
     */
    public Aggregate<S, C, E> update(String aggregateId, Function<S, List<? extends E>> decision, EventMetadata metadata) {
        requireId(aggregateId);
        Objects.requireNonNull(decision, "decision");
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Aggregate<S, C, E> aggregate = load(aggregateId);
            aggregate.execute(decision);
            try {
                save(aggregate, metadata);
                return aggregate;
            } catch (WrongExpectedVersionException conflict) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                Duration pause = jitter(updateRetries.backoffAfter(attempt));
                if (attempt >= updateRetries.maxAttempts() || elapsed.plus(pause).compareTo(updateRetries.maxElapsed()) > 0) {
                    throw new UpdateConflictException(aggregateId, attempt, elapsed.toMillis(), conflict);
                }
                conflictsRetried.incrementAndGet();
                sleep(pause);
            }
        }
    }

    private static Duration jitter(Duration ceiling) {
        long millis = ceiling.toMillis();
        return Duration.ofMillis(millis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(millis + 1));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventStoreException("interrupted while waiting to retry an update", e);
        }
    }

    /**
     * Waits until the snapshots queued so far are written.
     *
     * @return false if some were still queued after {@code timeout}
     */
    public boolean awaitSnapshots(Duration timeout) throws InterruptedException {
        return snapshots == null || snapshots.awaitIdle(timeout);
    }

    public RepositoryStats stats() {
        return new RepositoryStats(loads.get(), loadsFromSnapshot.get(), eventsReplayed.get(), snapshotsIgnored.get(),
            conflictsRetried.get(), snapshots == null ? 0 : snapshots.written(), snapshots == null ? 0 : snapshots.dropped(),
            snapshots == null ? 0 : snapshots.failed());
    }

    public AggregateDefinition<S, C, E> definition() {
        return definition;
    }

    /** Writes the snapshots still queued (for at most ten seconds). The event store stays open. */
    @Override
    public void close() {
        if (snapshots != null) {
            snapshots.close();
        }
    }

    private static void requireId(String aggregateId) {
        if (aggregateId == null || aggregateId.isBlank()) {
            throw new IllegalArgumentException("aggregateId must not be null or blank, was "
                + (aggregateId == null ? "null" : "'" + aggregateId + "'"));
        }
    }

    /** Builds an {@link AggregateRepository}. */
    public static final class Builder<S, C, E> {
        private final EventStore store;
        private final AggregateDefinition<S, C, E> definition;
        private RetryPolicy updateRetries = DEFAULT_UPDATE_RETRIES;
        private int snapshotEvery;
        private String snapshotCollection;
        private int snapshotQueueCapacity = 10_000;

        private Builder(EventStore store, AggregateDefinition<S, C, E> definition) {
            this.store = Objects.requireNonNull(store, "store");
            this.definition = Objects.requireNonNull(definition, "definition");
        }

        /**
         * Snapshot an aggregate whenever a save reaches or passes a multiple of {@code events} in its stream (default
         * 0: never). Needs {@code snapshots(..)} on the definition.
         */
        public Builder<S, C, E> snapshotEvery(int events) {
            if (events < 0) {
                throw new IllegalArgumentException("snapshotEvery must be 0 (off) or more, was " + events);
            }
            this.snapshotEvery = events;
            return this;
        }

        /** The snapshot collection, in the event store's database (default {@code <events collection>_snapshots}). */
        public Builder<S, C, E> snapshotCollection(String collection) {
            if (collection == null || collection.isBlank()) {
                throw new IllegalArgumentException("snapshotCollection must not be null or blank, was " + collection);
            }
            this.snapshotCollection = collection;
            return this;
        }

        /** Snapshots waiting to be written before new ones are dropped (default 10,000). */
        public Builder<S, C, E> snapshotQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("snapshotQueueCapacity must be 1 or more, was " + capacity);
            }
            this.snapshotQueueCapacity = capacity;
            return this;
        }

        /**
         * How {@code update} and {@code handle} retry after a concurrent change: {@code maxAttempts} loads and
         * decisions, jittered exponential backoff between them, at most {@code maxElapsed} in all (default
         * {@link #DEFAULT_UPDATE_RETRIES}).
         */
        public Builder<S, C, E> updateRetries(RetryPolicy updateRetries) {
            this.updateRetries = Objects.requireNonNull(updateRetries, "updateRetries");
            return this;
        }

        /** @throws IllegalStateException if snapshots are asked for but the definition cannot snapshot its state */
        public AggregateRepository<S, C, E> build() {
            if (snapshotEvery > 0 && !definition.snapshots()) {
                throw new IllegalStateException("snapshotEvery(" + snapshotEvery + ") needs snapshots(stateClass, "
                    + "schemaVersion) on the definition of " + definition.aggregateType());
            }
            return new AggregateRepository<>(this);
        }
    }
}
