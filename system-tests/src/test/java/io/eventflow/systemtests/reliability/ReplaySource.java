package io.eventflow.systemtests.reliability;

import java.util.List;

import org.apache.flink.streaming.api.functions.source.SourceFunction;

import io.eventflow.job.model.ChangeRecord;

/**
 * A test source that delivers a fixed sequence of change records, in the order given (reversed, shuffled,
 * repeated: whatever the test arranged), then stays open like a change stream with nothing new, so that the job's
 * processing-time timers (gap timeouts) keep firing.
 */
final class ReplaySource implements SourceFunction<ChangeRecord> {

    private static final long serialVersionUID = 1L;

    private final List<String> documents;
    private final boolean snapshot;
    private volatile boolean running = true;

    /** @param documents event documents as MongoDB extended JSON, delivered as inserts in this order */
    ReplaySource(List<String> documents, boolean snapshot) {
        this.documents = List.copyOf(documents);
        this.snapshot = snapshot;
    }

    @Override
    public void run(SourceContext<ChangeRecord> context) throws Exception {
        long clusterTime = (System.currentTimeMillis() / 1000) << 32;
        for (String document : documents) {
            ChangeRecord record = new ChangeRecord();
            record.operationType = "insert";
            record.database = "replay";
            record.collection = "events";
            record.fullDocumentJson = document;
            record.snapshot = snapshot;
            record.clusterTime = snapshot ? 0 : ++clusterTime;
            synchronized (context.getCheckpointLock()) {
                context.collect(record);
            }
        }
        while (running) {
            Thread.sleep(100);
        }
    }

    @Override
    public void cancel() {
        running = false;
    }
}
