package io.eventflow.job.source;

import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.mongodb.source.MongoDBSource;
import org.apache.flink.cdc.connectors.mongodb.source.MongoDBSourceBuilder;

import io.eventflow.job.config.JobConfig;
import io.eventflow.job.config.JobOptions;
import io.eventflow.job.model.ChangeRecord;
import io.eventflow.job.mongo.MongoConnection;

/** Builds the Flink CDC MongoDB source on the event collection. */
public final class EventSources {

    private EventSources() {
    }

    public static MongoDBSource<ChangeRecord> create(JobConfig config) {
        MongoConnection mongo = config.eventStore();
        String database = config.get(JobOptions.MONGODB_DATABASE);
        // the exact namespace: Flink CDC then watches the one collection rather than the whole database
        MongoDBSourceBuilder<ChangeRecord> builder = MongoDBSource.<ChangeRecord>builder()
            .scheme(mongo.scheme())
            .hosts(mongo.hosts())
            .databaseList(database)
            .collectionList(database + "." + config.get(JobOptions.MONGODB_COLLECTION))
            .startupOptions(startupOptions(config))
            .batchSize(config.get(JobOptions.SOURCE_BATCH_SIZE))
            .pollAwaitTimeMillis((int) config.get(JobOptions.SOURCE_POLL_INTERVAL).toMillis())
            .pollMaxBatchSize(config.get(JobOptions.SOURCE_POLL_MAX_BATCH_SIZE))
            .heartbeatIntervalMillis((int) config.get(JobOptions.SOURCE_HEARTBEAT_INTERVAL).toMillis())
            .splitSizeMB(config.get(JobOptions.SOURCE_CHUNK_SIZE_MB))
            .deserializer(new ChangeRecordDeserializer());
        if (mongo.options() != null) {
            builder.connectionOptions(mongo.options());
        }
        if (mongo.hasCredentials()) {
            builder.username(mongo.username()).password(mongo.password());
        }
        return builder.build();
    }

    static StartupOptions startupOptions(JobConfig config) {
        return switch (config.get(JobOptions.SOURCE_STARTUP_MODE)) {
            case INITIAL -> StartupOptions.initial();
            case LATEST -> StartupOptions.latest();
            case TIMESTAMP -> StartupOptions.timestamp(config.startupTimestampMillis());
        };
    }
}
