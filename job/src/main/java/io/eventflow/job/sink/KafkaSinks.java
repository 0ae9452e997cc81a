package io.eventflow.job.sink;

import java.time.Duration;
import java.util.Properties;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The job's Kafka sinks. Events go through an exactly-once sink: transactions that commit when the checkpoint that
 * covers them completes. Dead letters, integrity records and gap alerts go through at-least-once sinks with idempotent
 * producers (see {@link #atLeastOnce}).
 */
public final class KafkaSinks {

    private KafkaSinks() {
    }

    /**
     * @param transactionalIdPrefix unique per sink and stable across restarts, so that pending transactions recover
     * @param transactionTimeout    longer than a checkpoint interval plus a checkpoint, at most the brokers' maximum
     * @param extraProperties       security and tuning settings passed to the producers as they are
     */
    public static <T> KafkaSink<T> exactlyOnce(String bootstrapServers, String transactionalIdPrefix,
                                               Duration transactionTimeout, Properties extraProperties,
                                               KafkaRecordSerializationSchema<T> serializer) {
        Properties properties = new Properties();
        // One request in flight per broker connection: a broker that rejects the first batch of a transaction on a
        // new partition (Kafka 3.6+ partition verification) must see its retry before any later batch, or the
        // partition is stuck in OutOfOrderSequenceException until the transaction times out (KAFKA-14904).
        properties.setProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        // Records become visible to read_committed consumers only when the checkpoint commits, so waiting a little to
        // fill bigger batches costs no visible latency and makes up for the single request in flight.
        properties.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        properties.putAll(extraProperties);
        properties.setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeout.toMillis()));
        properties.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        return KafkaSink.<T>builder()
            .setBootstrapServers(bootstrapServers)
            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .setTransactionalIdPrefix(transactionalIdPrefix)
            .setKafkaProducerConfig(properties)
            .setRecordSerializer(serializer)
            .build();
    }

    /**
     * An at-least-once sink: every record is acknowledged by all in-sync replicas before the checkpoint that covers it
     * completes, an idempotent producer keeps retries from duplicating it, and records are visible at once. After a
     * restart, the records since the last checkpoint are sent again, with the same keys (a {@code SideRecord}'s key
     * names what it is about), so a consumer, or a compacted topic, drops the repeats.
     *
     * <p>Why not exactly-once for dead letters, integrity records and alerts: an exactly-once Kafka sink opens a
     * transaction under a new transactional id for every checkpoint of every subtask, and brokers keep each id until
     * transactional.id.expiration.ms (7 days) has passed (FLINK-34554): with three more such sinks, a job at 4 subtasks
     * and 10 s checkpoints leaves about 100,000 ids a day on the brokers. These records are diagnostics, rare, and
     * keyed by what they describe, so a repeat after a restart is harmless; and an alert is visible when it is raised,
     * not a checkpoint later.
     */
    public static <T> KafkaSink<T> atLeastOnce(String bootstrapServers, Properties extraProperties,
                                               KafkaRecordSerializationSchema<T> serializer) {
        Properties properties = new Properties();
        properties.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.putAll(extraProperties);
        properties.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        return KafkaSink.<T>builder()
            .setBootstrapServers(bootstrapServers)
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .setKafkaProducerConfig(properties)
            .setRecordSerializer(serializer)
            .build();
    }
}
