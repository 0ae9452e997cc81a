package io.eventflow.writer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.ReadConcern;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

import io.eventflow.core.event.EventFields;
import io.eventflow.core.json.EventJson;
import io.eventflow.core.upcast.Upcasters;
import io.eventflow.writer.internal.AppendOperation;
import io.eventflow.writer.internal.EventDocuments;
import io.eventflow.writer.internal.StreamReader;

/**
 * A MongoDB collection used as an event store. Each aggregate's events form a stream numbered 1, 2, 3 ... with no gap
 * and no duplicate, whatever the concurrency, retries and failures.
 *
 * <pre>{@code
 * EventStore store = EventStore.builder()
 *     .connectionString("mongodb://localhost:27017/?replicaSet=rs0")
 *     .database("eventstore").collection("events")
 *     .build();
 *
 * AppendResult result = store.append("Order", "order-42", ExpectedVersion.noStream(),
 *     List.of(NewEvent.of("OrderCreated", new OrderCreated("customer-7", items))));
 *
 * try (Stream<RecordedEvent> events = store.readStream("order-42", 1, 1000)) {
 *     events.forEach(event -> System.out.println(event.sequenceNo() + " " + event.eventType()));
 * }
 * }</pre>
 *
 * <p>One event is written with a single insert, several in one transaction (all or none). Writes use write concern
 * majority and reads read concern majority unless configured otherwise. Appends are idempotent by eventId: appending
 * the same {@link NewEvent}s again returns the first append's result and writes nothing. Transient failures are
 * retried with backoff, and a commit whose outcome is unknown is resolved by looking for the eventIds, so no event is
 * ever written twice. Thread-safe.
 */
public final class EventStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventStore.class);

    private final MongoClient client;
    private final boolean ownsClient;
    private final MongoCollection<BsonDocument> reads;
    private final ObjectMapper mapper;
    private final EventDocuments documents;
    private final StreamReader reader;
    private final AppendOperation appender;
    private final int maxEventsPerAppend;
    private final String namespace;
    private final Upcasters upcasters;

    private EventStore(Builder builder, MongoClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.mapper = builder.objectMapper != null ? builder.objectMapper : defaultObjectMapper();
        this.maxEventsPerAppend = builder.maxEventsPerAppend;
        this.namespace = builder.database + "." + builder.collection;
        this.upcasters = builder.upcasters;
        MongoCollection<BsonDocument> collection = client.getDatabase(builder.database)
            .getCollection(builder.collection, BsonDocument.class)
            .withWriteConcern(builder.writeConcern)
            .withReadConcern(builder.readConcern);
        this.reads = collection;
        MongoCollection<RawBsonDocument> writes = collection.withDocumentClass(RawBsonDocument.class);
        this.documents = new EventDocuments(mapper);
        this.reader = new StreamReader(collection, documents, builder.readBatchSize);
        TransactionOptions transactionOptions = TransactionOptions.builder()
            .writeConcern(builder.writeConcern).readConcern(builder.readConcern).build();
        this.appender = new AppendOperation(client, writes, collection, reader, documents, transactionOptions,
            builder.retryPolicy, builder.listener);
        if (builder.createIndexes) {
            collection.createIndex(Indexes.ascending(EventFields.AGGREGATE_ID, EventFields.SEQUENCE_NO),
                new IndexOptions().unique(true).name(EventFields.STREAM_INDEX_NAME));
            log.debug("unique index {} present on {}", EventFields.STREAM_INDEX_NAME, namespace);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The mapper used when none is configured: {@link EventJson#mapper()}, the conventions projections read payloads
     * with (Java time as ISO-8601 strings, decimals that keep their scale).
     */
    public static ObjectMapper defaultObjectMapper() {
        return EventJson.mapper();
    }

    /** Appends events to a stream without an aggregate type. See {@link #append(String, String, ExpectedVersion, List)}. */
    public AppendResult append(String aggregateId, ExpectedVersion expected, List<NewEvent> events) {
        return append(null, aggregateId, expected, events);
    }

    /** Appends events to a stream without an aggregate type. See {@link #append(String, String, ExpectedVersion, List)}. */
    public AppendResult append(String aggregateId, ExpectedVersion expected, NewEvent... events) {
        return append(null, aggregateId, expected, List.of(events));
    }

    /** Appends events to a typed stream. See {@link #append(String, String, ExpectedVersion, List)}. */
    public AppendResult append(String aggregateType, String aggregateId, ExpectedVersion expected, NewEvent... events) {
        return append(aggregateType, aggregateId, expected, List.of(events));
    }

    /**
     * Appends events to the end of an aggregate's stream, all or none.
     *
     * @param aggregateType the aggregate's type, stored with every event (the job routes by it), or {@code null}
     * @param aggregateId   the stream
     * @param expected      where the stream must be; see {@link ExpectedVersion}
     * @param events        one or more events, at most the configured maximum
     * @return positions, commit id and event ids of what was written (or of an identical earlier append)
     * @throws IllegalArgumentException       when the input is invalid, naming the field and value; nothing is written
     * @throws WrongExpectedVersionException  when the stream is not where {@code expected} says
     * @throws DuplicateEventException        when an eventId is already stored by a different append
     * @throws EventStoreUnavailableException when transient failures outlast the retry policy
     * @throws EventStoreException            for any other failure, with the driver's exception as cause
     */
    public AppendResult append(String aggregateType, String aggregateId, ExpectedVersion expected, List<NewEvent> events) {
        requireText("aggregateId", aggregateId);
        if (aggregateType != null) {
            requireText("aggregateType", aggregateType);
        }
        Objects.requireNonNull(expected, "expected version must not be null");
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must contain at least one event, was " + events);
        }
        if (events.size() > maxEventsPerAppend) {
            throw new IllegalArgumentException("events: " + events.size() + " in one append is more than the maximum of "
                + maxEventsPerAppend);
        }
        List<BsonDocument> payloads = new ArrayList<>(events.size());
        Set<String> eventIds = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            NewEvent event = events.get(i);
            if (event == null) {
                throw new IllegalArgumentException("event #" + (i + 1) + " is null");
            }
            requireText("eventType of event #" + (i + 1), event.eventType());
            requireText("eventId of event #" + (i + 1), event.eventId());
            if (!eventIds.add(event.eventId())) {
                throw new IllegalArgumentException("eventId '" + event.eventId() + "' appears twice in one append");
            }
            BsonDocument payload = documents.payload(event, i + 1);
            int size = EventDocuments.size(documents.encode(aggregateType, aggregateId, Long.MAX_VALUE, event, payload,
                "00000000-0000-0000-0000-000000000000"));
            if (size > EventFields.MAX_DOCUMENT_BYTES) {
                throw new IllegalArgumentException("event #" + (i + 1) + " (" + event.eventType() + ", eventId "
                    + event.eventId() + ") is " + size + " bytes, over MongoDB's limit of " + EventFields.MAX_DOCUMENT_BYTES);
            }
            payloads.add(payload);
        }
        return appender.append(aggregateType, aggregateId, expected, List.copyOf(events), payloads);
    }

    /**
     * Reads a stream in order, from {@code fromSequenceNo}, at most {@code maxCount} events, in pages.
     * The stream holds no server resources between pages; closing it is not required.
     */
    public Stream<RecordedEvent> readStream(String aggregateId, long fromSequenceNo, long maxCount) {
        requireText("aggregateId", aggregateId);
        requireAtLeast("fromSequenceNo", fromSequenceNo, 1);
        requireAtLeast("maxCount", maxCount, 1);
        return reader.forwards(aggregateId, fromSequenceNo, maxCount).map(this::atCurrentSchema);
    }

    /** Reads a whole stream in order, in pages. */
    public Stream<RecordedEvent> readStream(String aggregateId) {
        return readStream(aggregateId, 1, Long.MAX_VALUE);
    }

    /**
     * Reads a stream newest first, from {@code fromSequenceNo} (inclusive; {@code Long.MAX_VALUE} for the head)
     * down, at most {@code maxCount} events.
     */
    public Stream<RecordedEvent> readStreamBackwards(String aggregateId, long fromSequenceNo, long maxCount) {
        requireText("aggregateId", aggregateId);
        requireAtLeast("fromSequenceNo", fromSequenceNo, 1);
        requireAtLeast("maxCount", maxCount, 1);
        return reader.backwards(aggregateId, fromSequenceNo, maxCount).map(this::atCurrentSchema);
    }

    /**
     * Time travel: the stream as it stood at {@code until}, that is its longest prefix whose events all occurred at
     * or before that instant. Replaying it gives the aggregate's state at that time.
     */
    public Stream<RecordedEvent> readStreamUntil(String aggregateId, Instant until) {
        requireText("aggregateId", aggregateId);
        Objects.requireNonNull(until, "until must not be null");
        return reader.until(aggregateId, until).map(this::atCurrentSchema);
    }

    /** The stream's version: its highest sequenceNo, or 0 when it does not exist. */
    public long currentVersion(String aggregateId) {
        requireText("aggregateId", aggregateId);
        return reader.currentVersion(aggregateId);
    }

    /** One event by its id. */
    public Optional<RecordedEvent> readEvent(String eventId) {
        requireText("eventId", eventId);
        BsonDocument document = reads.find(Filters.eq(EventFields.EVENT_ID, eventId)).first();
        return Optional.ofNullable(document).map(documents::decode).map(this::atCurrentSchema);
    }

    /** The upcasters that lift events to their current schema on read. */
    public Upcasters upcasters() {
        return upcasters;
    }

    /**
     * The event at its type's current schema version. Stored events are never rewritten; event types without
     * upcasters are returned as stored.
     *
     * @throws EventSchemaException if the stored version is newer than the upcasters know, or an upcaster fails
     */
    public RecordedEvent atCurrentSchema(RecordedEvent event) {
        String type = event.eventType();
        if (!upcasters.covers(type) || event.schemaVersion() == upcasters.currentVersion(type)) {
            return event;
        }
        if (!upcasters.knows(type, event.schemaVersion())) {
            throw new EventSchemaException(event, "the newest version of " + type + " this code knows is "
                + upcasters.currentVersion(type), null);
        }
        if (!(event.payload() instanceof ObjectNode payload)) {
            throw new EventSchemaException(event, "its payload is not a document", null);
        }
        try {
            return event.withSchema(type, upcasters.currentVersion(type), upcasters.upcast(type, event.schemaVersion(), payload));
        } catch (IllegalArgumentException e) {
            throw new EventSchemaException(event, e.getMessage(), e);
        }
    }

    /** The mapper that writes and reads payloads. */
    public ObjectMapper objectMapper() {
        return mapper;
    }

    /** {@code database.collection} of the event collection. */
    public String namespace() {
        return namespace;
    }

    /** The client, for callers that share it (for example snapshot stores). */
    public MongoClient client() {
        return client;
    }

    /** Closes the MongoClient if the store created it from a connection string. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be null or blank, was "
                + (value == null ? "null" : "'" + value + "'"));
        }
    }

    private static void requireAtLeast(String field, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(field + " must be " + minimum + " or more, was " + value);
        }
    }

    /** Builds an {@link EventStore}. */
    public static final class Builder {
        private MongoClient mongoClient;
        private String connectionString;
        private String database = "eventstore";
        private String collection = "events";
        private WriteConcern writeConcern = WriteConcern.MAJORITY;
        private ReadConcern readConcern = ReadConcern.MAJORITY;
        private ObjectMapper objectMapper;
        private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
        private AppendListener listener = AppendListener.NONE;
        private int maxEventsPerAppend = 1000;
        private int readBatchSize = 500;
        private boolean createIndexes = true;
        private Upcasters upcasters = Upcasters.NONE;

        private Builder() {
        }

        /** A client the caller owns and closes. */
        public Builder mongoClient(MongoClient mongoClient) {
            this.mongoClient = Objects.requireNonNull(mongoClient, "mongoClient");
            return this;
        }

        /** A connection string; the store creates the client and closes it on {@link EventStore#close()}. */
        public Builder connectionString(String connectionString) {
            this.connectionString = Objects.requireNonNull(connectionString, "connectionString");
            return this;
        }

        /** Default {@code eventstore}. */
        public Builder database(String database) {
            requireText("database", database);
            this.database = database;
            return this;
        }

        /** Default {@code events}. */
        public Builder collection(String collection) {
            requireText("collection", collection);
            this.collection = collection;
            return this;
        }

        /** Default majority: an acknowledged event survives a failover. */
        public Builder writeConcern(WriteConcern writeConcern) {
            this.writeConcern = Objects.requireNonNull(writeConcern, "writeConcern");
            return this;
        }

        /** Default majority: reads never see events a failover could roll back. */
        public Builder readConcern(ReadConcern readConcern) {
            this.readConcern = Objects.requireNonNull(readConcern, "readConcern");
            return this;
        }

        /** The mapper for payloads and metadata; default {@link EventStore#defaultObjectMapper()}. */
        public Builder objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** Observes appends, conflicts, retries and failures. */
        public Builder listener(AppendListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The most events one append may carry (default 1000). */
        public Builder maxEventsPerAppend(int maxEventsPerAppend) {
            requireAtLeast("maxEventsPerAppend", maxEventsPerAppend, 1);
            this.maxEventsPerAppend = maxEventsPerAppend;
            return this;
        }

        /** How many events one page of a read fetches (default 500). */
        public Builder readBatchSize(int readBatchSize) {
            requireAtLeast("readBatchSize", readBatchSize, 1);
            this.readBatchSize = readBatchSize;
            return this;
        }

        /** Whether {@link #build()} creates the unique {@code {aggregateId, sequenceNo}} index (default true; idempotent). */
        public Builder createIndexes(boolean createIndexes) {
            this.createIndexes = createIndexes;
            return this;
        }

        /**
         * The schema history of event payloads: reads return every event at its type's current version, lifted by
         * these upcasters (default none: events are returned as stored).
         */
        public Builder upcasters(Upcasters upcasters) {
            this.upcasters = Objects.requireNonNull(upcasters, "upcasters");
            return this;
        }

        /**
         * Connects, creates the unique index if configured, and returns the store.
         *
         * @throws IllegalStateException if neither a client nor a connection string was given, or both were
         */
        public EventStore build() {
            if ((mongoClient == null) == (connectionString == null)) {
                throw new IllegalStateException("EventStore needs exactly one of mongoClient(..) or connectionString(..)");
            }
            if (mongoClient != null) {
                return new EventStore(this, mongoClient, false);
            }
            MongoClient created = MongoClients.create(connectionString);
            try {
                return new EventStore(this, created, true);
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
        }
    }
}
