package io.eventflow.devstack.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.sink.RichSinkFunction;

/**
 * A test sink with exactly-once output: records become visible in {@link #committed(String)} only when the checkpoint
 * that covers them completes, so records replayed after a failure are never seen twice, and records lost by the
 * source would show up as missing.
 */
public final class CheckpointedCollector extends RichSinkFunction<String> implements CheckpointedFunction, CheckpointListener {

    private static final long serialVersionUID = 1L;
    private static final Map<String, List<String>> COMMITTED = new ConcurrentHashMap<>();

    private final String name;
    private transient List<String> uncheckpointed;
    private transient TreeMap<Long, List<String>> pending;
    private transient ListState<String> state;

    public CheckpointedCollector(String name) {
        this.name = name;
        COMMITTED.put(name, new CopyOnWriteArrayList<>());
    }

    /** What completed checkpoints have committed so far, in order. */
    public static List<String> committed(String name) {
        return COMMITTED.getOrDefault(name, List.of());
    }

    @Override
    public void invoke(String value, Context context) {
        uncheckpointed.add(value);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pending.put(context.getCheckpointId(), uncheckpointed);
        uncheckpointed = new ArrayList<>();
        state.clear();
        for (List<String> records : pending.values()) {
            state.addAll(records);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        uncheckpointed = new ArrayList<>();
        pending = new TreeMap<>();
        state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("pending", Types.STRING));
        if (context.isRestored()) {
            // restored from a completed checkpoint: what it held pending is committed now
            List<String> restored = new ArrayList<>();
            state.get().forEach(restored::add);
            COMMITTED.get(name).addAll(restored);
            state.clear();
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        var completed = pending.headMap(checkpointId, true);
        completed.values().forEach(COMMITTED.get(name)::addAll);
        completed.clear();
    }
}
