package io.eventflow.job.sink;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes dead letters, integrity violations and gap alerts as JSON records to one topic.
 *
 * @param <T> a record class with public fields
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableKey<T> key;
    private transient ObjectMapper mapper;

    public JsonRecordSerializer(String topic, SerializableKey<T> key) {
        this.topic = topic;
        this.key = key;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        mapper = new ObjectMapper();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        if (mapper == null) {
            mapper = new ObjectMapper();
        }
        try {
            String recordKey = key.apply(element);
            return new ProducerRecord<>(topic, recordKey == null ? null : recordKey.getBytes(StandardCharsets.UTF_8),
                mapper.writeValueAsBytes(element));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + element + " as JSON", e);
        }
    }

    /** The record key of an element. */
    @FunctionalInterface
    public interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {
    }

}
