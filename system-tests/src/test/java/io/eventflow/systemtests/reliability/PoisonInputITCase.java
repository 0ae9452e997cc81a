package io.eventflow.systemtests.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.eventflow.devstack.kafka.CommittedKafkaReader;
import io.eventflow.devstack.kafka.CommittedKafkaReader.Message;
import io.eventflow.devstack.testing.Await;
import io.eventflow.job.projection.ProjectionRegistry;
import io.eventflow.systemtests.testing.CapturedMetrics;
import io.eventflow.systemtests.testing.EmbeddedStackTest;
import io.eventflow.systemtests.testing.JobStack;
import io.eventflow.systemtests.testing.OrderTraffic;
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReliabilityReport;
import io.eventflow.systemtests.testing.ReplayOracle;
import io.eventflow.writer.DuplicateEventException;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Poison input: 25 kinds of bad event document and tampering, mixed into good traffic. Each reaches the dead-letter
 * or integrity topic with its reason (or is refused by the store), the metrics count each one, and the good
 * aggregates' read models and Kafka records are exactly what they would be without the bad input.
 */
class PoisonInputITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ProjectionRegistry REGISTRY = Registries.ORDERS;
    private static final int MAX_RECORD_BYTES = 100_000;


    /**
     * Bad documents written around the writer, each in a stream of its own, and how the reason the job gives must
     * begin (the whole reason where its wording is ours alone; up to the value where the value's rendering is JSON).
     */
    private static Map<Document, String> sourcePoison() {
        Map<Document, String> poison = new LinkedHashMap<>();
        poison.put(bad("p01").append("aggregateId", null), "field 'aggregateId' is null; it must be a non-blank string");
        poison.put(without(bad("p02").append("sequenceNo", 2L), "aggregateId"), // 2: the index holds (null, 1) already
            "field 'aggregateId' is missing; it must be a non-blank string");
        poison.put(bad("p03").append("aggregateId", "  "), "field 'aggregateId' is '  '; it must be a non-blank string");
        poison.put(bad("p04").append("aggregateId", 42), "field 'aggregateId' is int32 42; it must be a non-blank string");
        poison.put(without(bad("p05"), "sequenceNo"), "field 'sequenceNo' is missing; it must be an integer of 1 or more");
        poison.put(bad("p06").append("sequenceNo", 0L), "field 'sequenceNo' is int64 0; it must be an integer of 1 or more");
        poison.put(bad("p07").append("sequenceNo", -3L), "field 'sequenceNo' is int64 -3; it must be an integer of 1 or more");
        poison.put(bad("p08").append("sequenceNo", "one"), "field 'sequenceNo' is 'one'; it must be an integer of 1 or more");
        poison.put(bad("p09").append("sequenceNo", 1.5), "field 'sequenceNo' is double 1.5; it must be an integer of 1 or more");
        poison.put(without(bad("p10"), "eventType"), "field 'eventType' is missing; it must be a non-blank string");
        poison.put(bad("p11").append("eventType", ""), "field 'eventType' is ''; it must be a non-blank string");
        poison.put(bad("p12").append("eventType", List.of("a")), "field 'eventType' is array ");
        poison.put(bad("p13").append("schemaVersion", 0), "field 'schemaVersion' is int32 0; it must be an integer of 1 or more");
        poison.put(bad("p14").append("schemaVersion", "2"), "field 'schemaVersion' is '2'; it must be an integer of 1 or more");
        poison.put(without(bad("p15"), "occurredAt"), "field 'occurredAt' is missing; it must be a date");
        poison.put(bad("p16").append("occurredAt", "yesterday"), "field 'occurredAt' is 'yesterday'; it must be a date");
        poison.put(without(bad("p17"), "payload"), "field 'payload' is missing; it must be a document");
        poison.put(bad("p18").append("payload", List.of(1, 2)), "field 'payload' is array ");
        poison.put(bad("p19").append("metadata", "x"), "field 'metadata' is 'x'; it must be a document");
        poison.put(bad("p20").append("aggregateType", 7), "field 'aggregateType' is int32 7; it must be a non-blank string");
        poison.put(bad("p21").append("commitId", 12), "field 'commitId' is int32 12; it must be a string");
        poison.put(bad("p22").append("_id", new ObjectId("65a1b2c3d4e5f6a7b8c9d0e1")), "field '_id (the eventId)' is object_id ");
        String huge = "x".repeat(MAX_RECORD_BYTES + 1000);
        poison.put(bad("p23").append("payload", new Document("note", huge)), "the event is ");
        return poison;
    }

    @Test
    void everyKindOfPoisonIsDivertedWithItsReasonAndTheGoodStreamsAreUnaffected() throws Exception {
        try (JobStack stack = stack("poison")) {
            // a record budget of 100,000 bytes holds two documents of 40,000 and the other fields of an integrity record
            JobClient job = stack.start(stack.config(Map.of("kafka.max-record-bytes", String.valueOf(MAX_RECORD_BYTES),
                    "dead-letter.max-document-bytes", "40000")),
                REGISTRY);
            stack.awaitStreaming();
            MongoCollection<Document> raw = stack.client.getDatabase(stack.eventDatabase).getCollection("events");

            List<OrderTraffic.Stream> good = OrderTraffic.plan("good", 60, 5, 21);
            OrderTraffic.append(stack.store, good, 2, 1);
            // the good streams as written, before the tampering below: what the read models must reflect
            Set<String> goodIds = good.stream().map(OrderTraffic.Stream::aggregateId).collect(Collectors.toSet());
            MongoCollection<BsonDocument> pristine = stack.client.getDatabase(stack.eventDatabase)
                .getCollection("events_good", BsonDocument.class);
            pristine.insertMany(stack.events().find(Filters.in("aggregateId", goodIds)).into(new ArrayList<>()));
            Map<Document, String> poison = sourcePoison();
            poison.keySet().forEach(raw::insertOne);
            // valid documents that the Order projection cannot read: dead-lettered by the projection stage only
            stack.store.append("Order", "p24", ExpectedVersion.noStream(), NewEvent.builder("OrderCreated")
                .schemaVersion(7).payload(Map.of("customerId", "c", "items", List.of())).build());
            String p25EventId = stack.store.append("Order", "p25", ExpectedVersion.noStream(), NewEvent.builder("OrderCreated")
                .schemaVersion(2).payload(Map.of("customerId", "c", "currency", "EUR", "items", "none")).build())
                .eventIds().get(0);
            // a duplicate eventId with other content never reaches the store
            BsonDocument existing = stack.events().find(Filters.eq("aggregateId", good.get(0).aggregateId())).first();
            assertThatThrownBy(() -> raw.insertOne(bad(existing.getString("_id").getValue()).append("aggregateId", "p26")))
                .isInstanceOf(MongoWriteException.class).hasMessageContaining("E11000");
            assertThatThrownBy(() -> stack.store.append("Order", "p26", ExpectedVersion.any(),
                NewEvent.builder("OrderNoteAdded").eventId(existing.getString("_id").getValue()).payload(Map.of("note", "x")).build()))
                .isInstanceOf(DuplicateEventException.class).hasMessageContaining(existing.getString("_id").getValue());
            // tampering with stored events: update, replace, delete
            String target = good.get(1).aggregateId();
            raw.updateOne(Filters.and(Filters.eq("aggregateId", target), Filters.eq("sequenceNo", 1L)),
                Updates.set("payload.customerId", "tampered"));
            raw.replaceOne(Filters.and(Filters.eq("aggregateId", target), Filters.eq("sequenceNo", 2L)),
                without(bad("replaced"), "_id").append("aggregateId", target).append("sequenceNo", 2L));
            raw.deleteOne(Filters.and(Filters.eq("aggregateId", target), Filters.eq("sequenceNo", 3L)));

            List<Message> deadLetters = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".dlq")), read -> read.size() >= poison.size() + 2, WAIT);
            List<Message> violations = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".integrity")), read -> read.size() >= 3, WAIT);

            ObjectMapper json = new ObjectMapper();
            List<String> reasons = new ArrayList<>();
            for (Message message : deadLetters) {
                JsonNode letter = json.readTree(message.value());
                reasons.add(letter.path("stage").asText() + ": " + letter.path("reason").asText());
            }
            List<String> unmatched = new ArrayList<>(reasons);
            for (String beginning : poison.values()) {
                String found = unmatched.stream().filter(reason -> reason.startsWith("source: " + beginning)).findFirst()
                    .orElseThrow(() -> new AssertionError("no dead letter saying '" + beginning + "' among " + reasons));
                unmatched.remove(found);
            }
            // the per-aggregate order projection and the two cross-aggregate ones (which route by its payload) each
            // dead-letter the two events they cannot read
            String unknownVersion = "schemaVersion 7 of OrderCreated is newer than this code knows (v2); deploy the "
                + "projections with their upcasters first";
            String unreadable = "payload of OrderCreated (event " + p25EventId + ") cannot be read as OrderCreated: "
                + p25Reason(unmatched);
            assertThat(unmatched).containsExactlyInAnyOrder(
                "projection:order: apply failed: io.eventflow.projection.UnknownSchemaVersionException: " + unknownVersion,
                "projection:order: apply failed: java.lang.IllegalArgumentException: " + unreadable,
                "projection:orders-per-customer: documentKeys failed: io.eventflow.projection.UnknownSchemaVersionException: "
                    + unknownVersion,
                "projection:orders-per-customer: documentKeys failed: java.lang.IllegalArgumentException: " + unreadable,
                "projection:units-sold-per-sku: documentKeys failed: io.eventflow.projection.UnknownSchemaVersionException: "
                    + unknownVersion,
                "projection:units-sold-per-sku: documentKeys failed: java.lang.IllegalArgumentException: " + unreadable);
            assertThat(reasons).filteredOn(reason -> reason.startsWith("source: the event is "))
                .singleElement().asString().endsWith("bytes as a Kafka record, more than kafka.max-record-bytes ("
                    + MAX_RECORD_BYTES + "): it cannot be published");
            assertThat(violations).extracting(message -> json.readTree(message.value()).path("operationType").asText())
                .containsExactlyInAnyOrder("update", "replace", "delete");

            // the good streams: read models and Kafka exactly as if no bad input had happened
            ReplayOracle.expectedReadModels(pristine, REGISTRY).forEach((collection, documents) -> {
                Await.until(collection + " of the good streams to equal the oracle", WAIT,
                    () -> documents.values().stream().allMatch(document -> document.equals(stack.readModels(collection)
                        .find(Filters.eq("_id", document.getString("_id").getValue())).first())), () -> "");
            });
            assertThat(stack.readModels("orders").countDocuments(Filters.nin("_id", goodIds))).as("orders of bad streams").isZero();
            List<Message> published = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix) + "\\.(Order|Customer)"),
                read -> read.size() >= goodEventCount(good) + 2, WAIT);
            assertThat(published.stream().filter(message -> goodIds.contains(message.key())).count())
                .isEqualTo(goodEventCount(good));
            assertThat(published).extracting(Message::key).filteredOn(key -> !goodIds.contains(key))
                .containsExactlyInAnyOrder("p24", "p25");

            long sourceDeadLetters = CapturedMetrics.sum(job.getJobID(), "deadLetters");
            assertThat(sourceDeadLetters).isEqualTo(poison.size());
            assertThat(CapturedMetrics.sum(job.getJobID(), "integrityViolations")).isEqualTo(3);
            assertThat(CapturedMetrics.sum(job.getJobID(), "eventsFailed")).isEqualTo(6);
            assertThat(CapturedMetrics.sum(job.getJobID(), "unknownSchemaVersions")).isEqualTo(3);
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            ReliabilityReport.record("6. poison input", goodEventCount(good), (poison.size() + 2) + " bad documents, 2 "
                + "duplicate eventIds (refused by the store), 3 tamperings: " + deadLetters.size() + " dead letters, "
                + violations.size() + " integrity violations", 0, 0, null);
            JobStack.cancel(job);
        }
    }

    /** The Jackson message after the fixed part of the projection's reason, whatever the Jackson version says. */
    private static String p25Reason(List<String> reasons) {
        String prefix = "cannot be read as OrderCreated: ";
        return reasons.stream().filter(reason -> reason.contains(prefix)).findFirst()
            .map(reason -> reason.substring(reason.indexOf(prefix) + prefix.length())).orElse("(none)");
    }

    private static long goodEventCount(List<OrderTraffic.Stream> good) {
        return good.stream().mapToLong(stream -> stream.events().size()).sum();
    }

    private static Document bad(String id) {
        return new Document("_id", id).append("aggregateId", id).append("aggregateType", "Order")
            .append("sequenceNo", 1L).append("eventType", "OrderNoteAdded").append("schemaVersion", 1)
            .append("occurredAt", new Date()).append("payload", new Document("note", "raw"))
            .append("metadata", new Document()).append("commitId", "raw-" + id);
    }

    private static Document without(Document document, String field) {
        document.remove(field);
        return document;
    }
}
