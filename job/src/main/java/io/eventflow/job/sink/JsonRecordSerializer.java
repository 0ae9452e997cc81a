package io.eventflow.job.sink;

import java.nio.charset.StandardCharsets;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventflow.job.model.RecordLimits;
import io.eventflow.job.model.SideRecord;

/**
 * Writes dead letters, integrity violations and gap alerts as JSON records to one topic, keyed by what each record is
 * about ({@link SideRecord#recordKey()}). Every record is cut to the {@link RecordLimits} first, whoever built it, so
 * that no input can make a record larger than the producer accepts (which would fail the job on every restart).
 *
 * @param <T> a side record with public fields
 */
public final class JsonRecordSerializer<T extends SideRecord> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(JsonRecordSerializer.class);

    private final String topic;
    private final RecordLimits limits;
    private transient ObjectMapper mapper;

    public JsonRecordSerializer(String topic, RecordLimits limits) {
        this.topic = topic;
        this.limits = limits;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        mapper = new ObjectMapper();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        SideRecord bounded = element.bounded(limits);
        byte[] key = bounded.recordKey().getBytes(StandardCharsets.UTF_8);
        byte[] value = write(bounded);
        if (key.length + value.length > limits.maxRecordBytes()) {
            // cannot happen with limits the configuration accepted; a record without its documents always fits
            log.error("a record for {} is {} bytes, more than kafka.max-record-bytes ({}); publishing it without its "
                + "documents: {}", topic, key.length + value.length, limits.maxRecordBytes(), bounded);
            value = write(element.bounded(limits.withoutDocuments()));
        }
        return new ProducerRecord<>(topic, key, value);
    }

    private byte[] write(SideRecord record) {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        try {
            return mapper.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + record + " as JSON", e);
        }
    }
}
