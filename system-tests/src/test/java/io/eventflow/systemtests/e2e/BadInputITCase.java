package io.eventflow.systemtests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.eventflow.systemtests.testing.Registries;
import io.eventflow.systemtests.testing.ReplayOracle;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * Malformed documents and changes to stored events reach the dead-letter and integrity topics, with their reasons,
 * and nothing else: read models and the events topic are as if they never happened, and the job keeps running.
 */
class BadInputITCase extends EmbeddedStackTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final ProjectionRegistry REGISTRY = Registries.ORDERS;


    @Test
    void badInputIsDivertedWithItsReasonAndNothingElseIsAffected() throws Exception {
        try (JobStack stack = stack("bad-input")) {
            JobClient job = stack.start(stack.config(Map.of()), REGISTRY);
            stack.awaitStreaming();
            MongoCollection<Document> raw = stack.client.getDatabase(stack.eventDatabase).getCollection("events");
            MongoCollection<BsonDocument> pristine = stack.client.getDatabase(stack.eventDatabase)
                .getCollection("events_as_written", BsonDocument.class);

            stack.store.append("Order", "o1", ExpectedVersion.noStream(), List.of(created("c1"),
                NewEvent.of("OrderConfirmed", Map.of()), NewEvent.of("OrderNoteAdded", Map.of("note", "x"))));
            stack.store.append("Order", "o2", ExpectedVersion.noStream(), List.of(created("c2")));
            raw.insertOne(event("bad-1", "o2", 2L).append("eventType", null));                      // in stream o2, missing type
            raw.insertOne(event("bad-2", null, 1L));                                                  // no aggregateId
            raw.insertOne(event("bad-3", "o3", 0L));                                                  // sequenceNo 0
            raw.insertOne(event("bad-4", "o4", 1L).append("sequenceNo", "one"));                      // sequenceNo a string
            raw.insertOne(event("bad-5", "o5", 1L).append("payload", "not a document"));              // payload not a document
            stack.store.append("Order", "o2", ExpectedVersion.exactly(2), NewEvent.of("OrderConfirmed", Map.of()));
            pristine.insertMany(stack.events().find().into(new ArrayList<>()));

            raw.updateOne(Filters.eq("aggregateId", "o1"), Updates.set("payload.customerId", "tampered"));
            raw.deleteOne(Filters.and(Filters.eq("aggregateId", "o1"), Filters.eq("sequenceNo", 2L)));
            stack.store.append("Order", "o1", ExpectedVersion.any(), NewEvent.of("OrderShipped", Map.of("carrier", "UPS")));
            pristine.insertOne(stack.events().find(Filters.eq("eventType", "OrderShipped")).first());

            List<Message> deadLetters = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".dlq")), read -> read.size() >= 5, WAIT);
            List<Message> violations = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".integrity")), read -> read.size() >= 2, WAIT);

            ObjectMapper json = new ObjectMapper();
            List<String> reasons = new ArrayList<>();
            for (Message message : deadLetters) {
                JsonNode letter = json.readTree(message.value());
                reasons.add(letter.path("eventId").asText() + ": " + letter.path("reason").asText());
            }
            assertThat(reasons).containsExactlyInAnyOrder(
                "bad-1: field 'eventType' is null; it must be a non-blank string",
                "bad-2: field 'aggregateId' is null; it must be a non-blank string",
                "bad-3: field 'sequenceNo' is int64 0; it must be an integer of 1 or more",
                "bad-4: field 'sequenceNo' is 'one'; it must be an integer of 1 or more",
                "bad-5: field 'payload' is 'not a document'; it must be a document");
            assertThat(violations).extracting(message -> json.readTree(message.value()).path("operationType").asText())
                .containsExactlyInAnyOrder("update", "delete");

            ReplayOracle.expectedReadModels(pristine, REGISTRY).forEach((collection, expected) -> {
                Await.until(collection + " as if the bad input never happened", WAIT,
                    () -> stack.readModels(collection).find().into(new ArrayList<>()).stream()
                        .allMatch(document -> document.equals(expected.get(document.getString("_id").getValue())))
                        && stack.readModels(collection).countDocuments() == expected.size(),
                    () -> stack.readModels(collection).find().into(new ArrayList<>()).toString());
            });
            assertThat(stack.readModels("orders").find(Filters.eq("_id", "o1")).first().getString("customerId").getValue())
                .isEqualTo("c1");

            List<Message> published = CommittedKafkaReader.readAll(stack.bootstrapServers,
                Pattern.compile(Pattern.quote(stack.topicPrefix + ".Order")), read -> read.size() >= 6, WAIT);
            assertThat(published).extracting(message -> message.key() + "#" + message.header("sequenceNo"))
                .containsExactlyInAnyOrder("o1#1", "o1#2", "o1#3", "o1#4", "o2#1", "o2#3");

            assertThat(CapturedMetrics.sum(job.getJobID(), "deadLetters")).isEqualTo(5);
            assertThat(CapturedMetrics.sum(job.getJobID(), "integrityViolations")).isEqualTo(2);
            assertThat(CapturedMetrics.sum(job.getJobID(), "gapAlerts")).isZero();
            assertThat(JobStack.status(job)).isEqualTo(JobStatus.RUNNING);
            JobStack.cancel(job);
        }
    }

    private static NewEvent created(String customerId) {
        return NewEvent.builder("OrderCreated").schemaVersion(2).payload(Map.of("customerId", customerId, "currency", "EUR",
            "items", List.of(Map.of("sku", "s", "quantity", 1, "unitPrice", 9.5)))).build();
    }

    /** A document shaped like an event, written around the event writer. */
    private static Document event(String eventId, String aggregateId, long sequenceNo) {
        return new Document("_id", eventId).append("aggregateId", aggregateId).append("aggregateType", "Order")
            .append("sequenceNo", sequenceNo).append("eventType", "OrderNoteAdded").append("schemaVersion", 1)
            .append("occurredAt", new java.util.Date()).append("payload", new Document("note", "raw"))
            .append("metadata", new Document()).append("commitId", "raw-" + eventId);
    }
}
