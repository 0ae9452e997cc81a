package io.eventflow.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.cdc.connectors.mongodb.source.config.MongoDBSourceConfig;
import org.apache.flink.cdc.connectors.mongodb.source.config.MongoDBSourceConfigFactory;
import org.apache.flink.cdc.connectors.mongodb.source.connection.MongoClientPool;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

class CdcClientPoolTest {

    @Test
    void closeAllClosesThePooledClientsAndTheNextRequestGetsAFreshOne() {
        // a client connects lazily: none of this needs a server
        MongoDBSourceConfig config = new MongoDBSourceConfigFactory().hosts("127.0.0.1:1").create(0);
        MongoClient pooled = MongoClientPool.getInstance().getOrCreateMongoClient(config);
        assertThat(MongoClientPool.getInstance().getOrCreateMongoClient(config)).as("pooled").isSameAs(pooled);

        CdcClientPool.closeAll();

        assertThatThrownBy(() -> pooled.getDatabase("any").listCollectionNames().first())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("open");
        MongoClient fresh = MongoClientPool.getInstance().getOrCreateMongoClient(config);
        assertThat(fresh).isNotSameAs(pooled);
        CdcClientPool.closeAll();
    }
}
