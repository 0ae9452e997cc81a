package io.eventflow.job.sink;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.model.JsonBytes;

/**
 * An event as a Kafka record: key = aggregateId (so one aggregate's events share a partition, in order), value = the
 * event as JSON, headers eventId, eventType, sequenceNo and schemaVersion. The topic is
 * {@code <prefix>.<aggregateType>} (or {@code <prefix>} in SINGLE mode). The record timestamp is left to the
 * producer: an old occurredAt would make retention delete a rebuild's records at once.
 */
public final class EventRecordSerializer implements KafkaRecordSerializationSchema<EventEnvelope> {

    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String topicPrefix;
    private final TopicMode mode;

    public EventRecordSerializer(String topicPrefix, TopicMode mode) {
        this.topicPrefix = topicPrefix;
        this.mode = mode;
    }

    /** The topic an event goes to. */
    public String topicOf(EventEnvelope event) {
        if (mode == TopicMode.SINGLE) {
            return topicPrefix;
        }
        return topicPrefix + "." + (event.aggregateType != null ? event.aggregateType : "untyped");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EventEnvelope event, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("eventId", utf8(event.eventId));
        headers.add("eventType", utf8(event.eventType));
        headers.add("sequenceNo", utf8(Long.toString(event.sequenceNo)));
        headers.add("schemaVersion", utf8(Integer.toString(event.schemaVersion)));
        return new ProducerRecord<>(topicOf(event), null, null, utf8(event.aggregateId), utf8(toJson(event)), headers);
    }

    /** The event as it is stored, as plain JSON; payload and metadata are embedded as they are. */
    public static String toJson(EventEnvelope event) {
        StringWriter out = new StringWriter(256 + event.payloadJson.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("eventId", event.eventId);
            json.writeStringField("aggregateId", event.aggregateId);
            if (event.aggregateType != null) {
                json.writeStringField("aggregateType", event.aggregateType);
            }
            json.writeNumberField("sequenceNo", event.sequenceNo);
            json.writeStringField("eventType", event.eventType);
            json.writeNumberField("schemaVersion", event.schemaVersion);
            json.writeStringField("occurredAt", Instant.ofEpochMilli(event.occurredAtMillis).toString());
            json.writeFieldName("payload");
            json.writeRawValue(event.payloadJson);
            json.writeFieldName("metadata");
            json.writeRawValue(event.metadataJson != null ? event.metadataJson : "{}");
            if (event.commitId != null) {
                json.writeStringField("commitId", event.commitId);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Field names, braces, quotes, commas, the occurredAt instant and the two numbers of the value. */
    private static final int VALUE_FIXED_BYTES = 256;
    /** The header names and the header values that are numbers. */
    private static final int HEADERS_FIXED_BYTES = 64;

    /**
     * An upper bound of the bytes of the event's record: its key, its value and its headers, as {@link #serialize}
     * writes them. The event reader rejects an event above {@code kafka.max-record-bytes} by this bound, so that the
     * producer never refuses one (and fails the job on every restart).
     */
    public static long recordBytesUpperBound(EventEnvelope event) {
        long key = JsonBytes.utf8(event.aggregateId);
        long headers = HEADERS_FIXED_BYTES + JsonBytes.utf8(event.eventId) + JsonBytes.utf8(event.eventType);
        long value = VALUE_FIXED_BYTES + JsonBytes.quoted(event.eventId) + JsonBytes.quoted(event.aggregateId)
            + JsonBytes.quoted(event.aggregateType) + JsonBytes.quoted(event.eventType) + JsonBytes.quoted(event.commitId)
            + JsonBytes.utf8(event.payloadJson) + JsonBytes.utf8(event.metadataJson);
        return key + headers + value;
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
