package io.eventflow.job.source;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.cdc.connectors.mongodb.source.connection.MongoClientPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;

/**
 * Closes the MongoDB clients that Flink CDC's source keeps in its static pool ({@code MongoClientPool}, Flink CDC
 * 3.1.1), which nothing else ever closes. Left open, every run of the job leaves its clients and their monitor threads
 * on each TaskManager that ran a source reader, and with them the job's whole user-code class loader (metaspace, per
 * restart or failover); a monitor thread that needs a class after the class loader was released fails with
 * {@code NoClassDefFoundError} (seen on a standalone cluster after a stop-with-savepoint). {@link ChangeRecordRouter}
 * registers {@link #closeAll()} as a release hook of the user-code class loader, so it runs once per TaskManager,
 * after the job's last task there ended. (The split enumerator's client in the JobManager is not covered.)
 */
final class CdcClientPool {

    /** The release hook's name: registered once per class loader. */
    static final String RELEASE_HOOK = "close-flink-cdc-mongodb-clients";

    private static final Logger log = LoggerFactory.getLogger(CdcClientPool.class);

    private CdcClientPool() {
    }

    /** Closes and forgets every pooled client; a client that fails to close is logged, the others still close. */
    static void closeAll() {
        Map<String, MongoClient> clients;
        try {
            Field pools = MongoClientPool.class.getDeclaredField("pools");
            pools.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<String, MongoClient> pooled = (Map<String, MongoClient>) pools.get(MongoClientPool.getInstance());
            clients = pooled;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot reach Flink CDC's pooled MongoDB clients to close them (another Flink CDC version?): {}",
                e.toString());
            return;
        }
        List<MongoClient> open = new ArrayList<>(clients.values());
        clients.clear();
        for (MongoClient client : open) {
            try {
                client.close();
            } catch (RuntimeException e) {
                log.warn("closing a pooled MongoDB client of Flink CDC failed: {}", e.toString());
            }
        }
        if (!open.isEmpty()) {
            log.info("closed {} MongoDB client(s) of Flink CDC's source pool", open.size());
        }
    }
}
