package io.eventflow.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedKafkaExtension;

class EmbeddedKafkaBrokerTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void readCommittedConsumersSeeOnlyCommittedTransactions() {
        String topic = "tx-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = transactionalProducer("tx-test")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k", "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed-3"));
            producer.commitTransaction();
        }

        assertThat(readAll(topic, "read_committed", 3)).containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(readAll(topic, "read_uncommitted", 4)).containsExactly("committed-1", "committed-2", "aborted", "committed-3");
    }

    @Test
    void aStoppedBrokerComesBackOnTheSamePortWithItsData() {
        String topic = "restart-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = transactionalProducer("restart-test")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "before-outage"));
            producer.commitTransaction();
        }
        String address = KAFKA.bootstrapServers();

        KAFKA.broker().stop();
        assertThat(KAFKA.broker().isRunning()).isFalse();
        KAFKA.broker().start();

        assertThat(KAFKA.bootstrapServers()).isEqualTo(address);
        assertThat(readAll(topic, "read_committed", 1)).containsExactly("before-outage");
    }

    private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        return new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId + "-" + UUID.randomUUID(),
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
            new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(String topic, String isolation, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
            new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // one more poll: nothing beyond what is expected may arrive
            consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
            return values;
        }
    }
}
