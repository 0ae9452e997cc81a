package io.eventflow.job.sink;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.mongodb.sink.MongoSink;

import io.eventflow.job.model.ReadModelUpdate;

/** The stock flink-connector-mongodb sink, configured for version-guarded read models. */
public final class ReadModelSinks {

    private ReadModelSinks() {
    }

    /**
     * A sink for one read-model collection. At-least-once with flush on every checkpoint: together with the version
     * guard, every update lands exactly in effect.
     *
     * @param uri a connection string; credentials included, because the connector takes nothing else
     */
    public static MongoSink<ReadModelUpdate> create(String uri, String database, String collection, int batchSize,
                                                    long batchIntervalMillis, int maxRetries) {
        return MongoSink.<ReadModelUpdate>builder()
            .setUri(uri)
            .setDatabase(database)
            .setCollection(collection)
            .setBatchSize(batchSize)
            .setBatchIntervalMs(batchIntervalMillis)
            .setMaxRetries(maxRetries)
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .setSerializationSchema(new VersionGuardedUpsert())
            .build();
    }
}
