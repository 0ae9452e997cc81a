package io.eventflow.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.job.sink.TopicMode;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;

class SerializersTest {

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
        ProducerRecord<byte[], byte[]> record = new JsonRecordSerializer<DeadLetter>("events.dlq", l -> l.aggregateId)
            .serialize(letter, null, null);

        assertThat(record.topic()).isEqualTo("events.dlq");
        assertThat(new ObjectMapper().readTree(record.value()).path("reason").asText()).isEqualTo("field 'aggregateId' is missing");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
