package io.eventflow.devstack.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads topics with {@code isolation.level=read_committed}, as consumers of the job's topics must; for tests and tools. */
public final class CommittedKafkaReader {

    private CommittedKafkaReader() {
    }

    /** A record as read: topic, partition, key, value and headers. */
    public record Message(String topic, int partition, String key, String value, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /**
     * Everything committed so far on the matching topics, read until {@code until} holds for what was read (or the
     * timeout passes), then read on for a second more so that extra records would show.
     */
    public static List<Message> readAll(String bootstrapServers, Pattern topics, Predicate<List<Message>> until,
                                        Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            List<Message> messages = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!until.test(messages) && System.nanoTime() < deadline) {
                poll(consumer, messages);
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                poll(consumer, messages);
            }
            return messages;
        }
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer, List<Message> messages) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            Map<String, String> headers = new java.util.HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            messages.add(new Message(record.topic(), record.partition(),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                new String(record.value(), StandardCharsets.UTF_8), headers));
        }
    }
}
