package io.eventflow.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.GapAlert;
import io.eventflow.job.model.IntegrityViolation;
import io.eventflow.job.model.JsonBytes;
import io.eventflow.job.model.RecordLimits;

class SerializersTest {

    private static final RecordLimits LIMITS = new RecordLimits(1_000_000, 100_000);

    @Test
    void anEventBecomesAKeyedJsonRecordWithHeadersOnItsAggregateTypesTopic() throws Exception {
        EventEnvelope event = new EventEnvelope();
        event.eventId = "e-1";
        event.aggregateId = "order-1";
        event.aggregateType = "Order";
        event.sequenceNo = 7;
        event.eventType = "OrderShipped";
        event.schemaVersion = 2;
        event.occurredAtMillis = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
        event.payloadJson = "{\"carrier\":\"DHL\",\"weight\":1.5}";
        event.metadataJson = "{\"correlationId\":\"c-1\"}";
        event.commitId = "k-1";

        ProducerRecord<byte[], byte[]> record = new EventRecordSerializer("events", TopicMode.PER_AGGREGATE_TYPE)
            .serialize(event, null, null);

        assertThat(record.topic()).isEqualTo("events.Order");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("order-1");
        assertThat(record.timestamp()).isNull();
        assertThat(header(record, "eventId")).isEqualTo("e-1");
        assertThat(header(record, "eventType")).isEqualTo("OrderShipped");
        assertThat(header(record, "sequenceNo")).isEqualTo("7");
        assertThat(header(record, "schemaVersion")).isEqualTo("2");
        JsonNode value = new ObjectMapper().readTree(record.value());
        assertThat(value.path("sequenceNo").asLong()).isEqualTo(7);
        assertThat(value.path("occurredAt").asText()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(value.path("payload").path("weight").asDouble()).isEqualTo(1.5);
        assertThat(value.path("metadata").path("correlationId").asText()).isEqualTo("c-1");
        assertThat(value.path("commitId").asText()).isEqualTo("k-1");

        event.aggregateType = null;
        assertThat(new EventRecordSerializer("events", TopicMode.PER_AGGREGATE_TYPE).topicOf(event)).isEqualTo("events.untyped");
        assertThat(new EventRecordSerializer("all", TopicMode.SINGLE).topicOf(event)).isEqualTo("all");
    }

    @Test
    void deadLettersAreJsonWithTheirReason() throws Exception {
        DeadLetter letter = new DeadLetter();
        letter.stage = "source";
        letter.reason = "field 'aggregateId' is missing";
        letter.aggregateId = "a";
        ProducerRecord<byte[], byte[]> record = new JsonRecordSerializer<DeadLetter>("events.dlq", LIMITS)
            .serialize(letter, null, null);

        assertThat(record.topic()).isEqualTo("events.dlq");
        assertThat(new ObjectMapper().readTree(record.value()).path("reason").asText()).isEqualTo("field 'aggregateId' is missing");
    }

    @Test
    void anIntegrityRecordOfAnUpdateThatSetATwoMegabyteFieldStaysWithinTheRecordBudget() throws Exception {
        IntegrityViolation violation = new IntegrityViolation();
        violation.operationType = "update";
        violation.namespace = "eventstore.events";
        violation.documentKeyJson = "{\"_id\": \"e-1\"}";
        String twoMegabytes = "x".repeat(2_000_000);
        violation.documentJson = "{\"_id\": \"e-1\", \"payload\": {\"note\": \"" + twoMegabytes + "\"}}";
        violation.updateDescriptionJson = "{\"updatedFields\": {\"payload.note\": \"" + twoMegabytes + "\"}}";

        ProducerRecord<byte[], byte[]> record = new JsonRecordSerializer<IntegrityViolation>("events.integrity", LIMITS)
            .serialize(violation, null, null);

        assertThat(record.key().length + record.value().length).isLessThanOrEqualTo(LIMITS.maxRecordBytes());
        JsonNode value = new ObjectMapper().readTree(record.value());
        assertThat(value.path("documentTruncated").asBoolean()).isTrue();
        assertThat(value.path("updateDescriptionTruncated").asBoolean()).isTrue();
        String updateDescription = value.path("updateDescriptionJson").asText();
        assertThat(updateDescription).startsWith("{\"updatedFields\": {\"payload.note\": \"xxx");
        assertThat(JsonBytes.quoted(updateDescription)).isEqualTo(LIMITS.maxDocumentBytes());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("update/{\"_id\": \"e-1\"}@0");
    }

    /** Quotes, backslashes and control characters grow when JSON-escaped; emoji and CJK take 4 and 3 bytes. */
    private static final String ADVERSARIAL = "\"\\\u0001\n\u00e9\u4e2d\ud83d\ude00\ud83d";

    @Test
    void everyFieldOfEverySideRecordIsBoundedInBytesWhateverItsCharacters() throws Exception {
        String huge = ADVERSARIAL.repeat(300_000);
        DeadLetter letter = new DeadLetter();
        letter.stage = huge;
        letter.reason = huge;
        letter.namespace = huge;
        letter.aggregateId = huge;
        letter.sequenceNo = 3;
        letter.eventId = huge;
        letter.rawDocument = huge;
        IntegrityViolation violation = new IntegrityViolation();
        violation.operationType = huge;
        violation.namespace = huge;
        violation.documentKeyJson = huge;
        violation.documentJson = huge;
        violation.updateDescriptionJson = huge;
        GapAlert alert = new GapAlert();
        alert.aggregateId = huge;
        alert.policy = huge;
        alert.action = huge;

        for (ProducerRecord<byte[], byte[]> record : List.of(
            new JsonRecordSerializer<DeadLetter>("dlq", LIMITS).serialize(letter, null, null),
            new JsonRecordSerializer<IntegrityViolation>("integrity", LIMITS).serialize(violation, null, null),
            new JsonRecordSerializer<GapAlert>("alerts", LIMITS).serialize(alert, null, null))) {
            long bytes = record.key().length + record.value().length;
            assertThat(bytes).as("%s record", record.topic()).isLessThanOrEqualTo(LIMITS.worstCaseSideRecordBytes())
                .isLessThanOrEqualTo(LIMITS.maxRecordBytes());
            assertThat(new ObjectMapper().readTree(record.value()).isObject()).isTrue();
        }
        DeadLetter bounded = letter.bounded(LIMITS);
        assertThat(JsonBytes.quoted(bounded.reason)).isLessThanOrEqualTo(RecordLimits.MAX_REASON_BYTES);
        assertThat(JsonBytes.quoted(bounded.aggregateId)).isLessThanOrEqualTo(RecordLimits.MAX_IDENTIFIER_BYTES);
        assertThat(bounded.reason).endsWith("...");
        assertThat(bounded.rawDocumentTruncated).isTrue();
    }

    @Test
    void theRecordSizeBoundOfAnEventIsNeverBelowItsRecordsSize() {
        Random random = new Random(13);
        for (int i = 0; i < 200; i++) {
            EventEnvelope event = new EventEnvelope();
            event.eventId = randomText(random, 40);
            event.aggregateId = randomText(random, 40);
            event.aggregateType = random.nextBoolean() ? null : randomText(random, 10);
            event.sequenceNo = random.nextLong() & Long.MAX_VALUE;
            event.eventType = randomText(random, 20);
            event.schemaVersion = random.nextInt(Integer.MAX_VALUE);
            event.occurredAtMillis = random.nextLong() % 253402300799999L;
            event.payloadJson = "{\"text\":" + quote(randomText(random, 500)) + "}";
            event.metadataJson = "{\"m\":" + quote(randomText(random, 50)) + "}";
            event.commitId = random.nextBoolean() ? null : randomText(random, 30);

            ProducerRecord<byte[], byte[]> record = new EventRecordSerializer("events", TopicMode.PER_AGGREGATE_TYPE)
                .serialize(event, null, null);
            long actual = record.key().length + record.value().length;
            for (var header : record.headers()) {
                actual += header.key().length() + header.value().length;
            }
            assertThat(EventRecordSerializer.recordBytesUpperBound(event)).as("bound of %s", event).isGreaterThanOrEqualTo(actual);
        }
    }

    private static String randomText(Random random, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(ADVERSARIAL.charAt(random.nextInt(ADVERSARIAL.length() - 1)));
        }
        return text.toString();
    }

    private static String quote(String text) {
        try {
            return new ObjectMapper().writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
