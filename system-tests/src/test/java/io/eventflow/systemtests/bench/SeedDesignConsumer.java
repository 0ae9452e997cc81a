package io.eventflow.systemtests.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.Document;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

import io.eventflow.core.readmodel.ReadModelFields;
import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.ProjectionFailures;
import io.eventflow.job.readmodel.ReadModelEncoder;
import io.eventflow.job.sink.EventRecordSerializer;
import io.eventflow.job.sink.TopicMode;
import io.eventflow.job.sink.VersionGuardedUpsert;
import io.eventflow.job.source.EventDocumentReader;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * The design the seed documents describe, built to be a fair competitor of the job: one consumer that watches the
 * event collection's change stream, restores each aggregate's order in memory (a duplicate is dropped, an early event
 * waits for its predecessors), applies every event with one version-guarded {@code updateOne} per read model, and
 * publishes it with an idempotent Kafka producer; it saves its resume token every {@code checkpointEvents} events, after
 * flushing the producer, so a restart resumes without loss (and, thanks to the guards and the idempotent producer's
 * per-session dedup, without visible duplicates in the read models).
 *
 * <p>It runs the same projection code, the same payload upcasting, the same read-model encoding and the same Kafka record
 * format as the job, so that both produce the same documents and records and only the architecture differs.
 */
final class SeedDesignConsumer {

    private final MongoClient store;
    private final MongoClient readModelClient;
    private final String eventDatabase;
    private final String readModelDatabase;
    private final List<Projection<?>> projections;
    private final Upcasters upcasters;
    private final Properties producerProperties;
    private final String topicPrefix;
    private final int checkpointEvents;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    SeedDesignConsumer(MongoClient store, MongoClient readModelClient, String eventDatabase, String readModelDatabase,
                       List<Projection<?>> projections, Upcasters upcasters, String bootstrapServers, String topicPrefix,
                       int checkpointEvents) {
        this.store = store;
        this.readModelClient = readModelClient;
        this.eventDatabase = eventDatabase;
        this.readModelDatabase = readModelDatabase;
        this.projections = projections;
        this.upcasters = upcasters;
        this.topicPrefix = topicPrefix;
        this.checkpointEvents = checkpointEvents;
        producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    }

    /** Events applied so far. */
    long applied() {
        return applied.get();
    }

    /** Read-model writes sent so far. */
    long writes() {
        return writes.get();
    }

    /** Reads the change stream from {@code startAt} until {@code running} turns false. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void run(BsonTimestamp startAt, AtomicBoolean running) {
        EventDocumentReader reader = new EventDocumentReader(Integer.MAX_VALUE);
        ReadModelEncoder encoder = new ReadModelEncoder();
        EventRecordSerializer records = new EventRecordSerializer(topicPrefix, TopicMode.PER_AGGREGATE_TYPE);
        Map<String, Long> lastApplied = new HashMap<>();
        Map<String, TreeMap<Long, EventEnvelope>> early = new HashMap<>();
        List<Map<String, Object>> states = new ArrayList<>();
        List<MongoCollection<BsonDocument>> collections = new ArrayList<>();
        for (Projection<?> projection : projections) {
            states.add(new HashMap<>());
            collections.add(readModelClient.getDatabase(readModelDatabase).getCollection(projection.collection(),
                BsonDocument.class));
        }
        MongoCollection<Document> checkpoints = readModelClient.getDatabase(readModelDatabase).getCollection("seed_checkpoint");
        UpdateOptions upsert = new UpdateOptions().upsert(true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(),
                new ByteArraySerializer());
             MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> stream = store.getDatabase(eventDatabase)
                 .getCollection("events", BsonDocument.class).watch().startAtOperationTime(startAt).batchSize(1024)
                 .cursor()) {
            long sinceCheckpoint = 0;
            while (running.get()) {
                ChangeStreamDocument<BsonDocument> change = stream.tryNext();
                if (change == null) {
                    continue;
                }
                BsonDocument document = change.getFullDocument();
                if (document == null || !(reader.read(document, change.getClusterTime().getValue(), false)
                    instanceof EventDocumentReader.Valid valid)) {
                    continue;
                }
                EventEnvelope event = valid.event();
                long last = lastApplied.getOrDefault(event.aggregateId, 0L);
                if (event.sequenceNo <= last) {
                    continue;
                }
                if (event.sequenceNo > last + 1) {
                    early.computeIfAbsent(event.aggregateId, id -> new TreeMap<>()).put(event.sequenceNo, event);
                    continue;
                }
                EventEnvelope next = event;
                while (next != null) {
                    for (int i = 0; i < projections.size(); i++) {
                        Projection projection = projections.get(i);
                        if (!projection.handles(next.eventType)) {
                            continue;
                        }
                        Map<String, Object> byAggregate = states.get(i);
                        Object state = byAggregate.get(next.aggregateId);
                        ProjectedEvent view = ProjectionFailures.view(next, upcasters);
                        state = projection.apply(state != null ? state : projection.initialState(next.aggregateId), view);
                        byAggregate.put(next.aggregateId, state);
                        byte[] bytes = encoder.encode(next.aggregateId, projection.toDocument(state), next.sequenceNo,
                            next.eventId, next.occurredAtMillis);
                        collections.get(i).updateOne(Filters.eq(ReadModelFields.ID, next.aggregateId),
                            VersionGuardedUpsert.guardedReplacement(new org.bson.RawBsonDocument(bytes),
                                ReadModelFields.LAST_SEQUENCE_NO, next.sequenceNo), upsert);
                        writes.incrementAndGet();
                    }
                    producer.send(records.serialize(next, null, null));
                    lastApplied.put(next.aggregateId, next.sequenceNo);
                    applied.incrementAndGet();
                    TreeMap<Long, EventEnvelope> waiting = early.get(next.aggregateId);
                    next = waiting == null ? null : waiting.remove(next.sequenceNo + 1);
                }
                if (++sinceCheckpoint >= checkpointEvents) {
                    producer.flush();
                    checkpoints.replaceOne(Filters.eq("_id", "seed"), new Document("_id", "seed")
                        .append("resumeToken", change.getResumeToken()), new ReplaceOptions().upsert(true));
                    sinceCheckpoint = 0;
                }
            }
            producer.flush();
        }
    }
}
