package io.eventflow.job.ordering;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The ordering operator's per-aggregate gauges (buffered events, open gaps, overdue gaps), counted per key group so
 * that a restore, at any parallelism, gives each subtask exactly the counts of the aggregates it now owns: the
 * snapshot lists {@code [keyGroup, buffered, openGaps, overdueGaps]} for every key group with a count, and each
 * subtask takes the key groups of its range.
 */
final class KeyGroupGauges {

    private static final int FIELDS = 4;

    private final int maxParallelism;
    private final KeyGroupRange range;
    private final long[] buffered;
    private final long[] openGaps;
    private final long[] overdueGaps;
    private long totalBuffered;
    private long totalOpenGaps;
    private long totalOverdueGaps;

    KeyGroupGauges(int maxParallelism, int parallelism, int subtask) {
        this.maxParallelism = maxParallelism;
        this.range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtask);
        this.buffered = new long[range.getNumberOfKeyGroups()];
        this.openGaps = new long[range.getNumberOfKeyGroups()];
        this.overdueGaps = new long[range.getNumberOfKeyGroups()];
    }

    int keyGroupOf(Object key) {
        return KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
    }

    void add(int keyGroup, long bufferedDelta, long openGapsDelta, long overdueGapsDelta) {
        int index = keyGroup - range.getStartKeyGroup();
        buffered[index] += bufferedDelta;
        openGaps[index] += openGapsDelta;
        overdueGaps[index] += overdueGapsDelta;
        totalBuffered += bufferedDelta;
        totalOpenGaps += openGapsDelta;
        totalOverdueGaps += overdueGapsDelta;
    }

    long buffered() {
        return totalBuffered;
    }

    long openGaps() {
        return totalOpenGaps;
    }

    long overdueGaps() {
        return totalOverdueGaps;
    }

    List<Long> snapshot() {
        List<Long> entries = new ArrayList<>();
        for (int index = 0; index < buffered.length; index++) {
            if (buffered[index] != 0 || openGaps[index] != 0 || overdueGaps[index] != 0) {
                entries.addAll(List.of((long) (range.getStartKeyGroup() + index), buffered[index], openGaps[index],
                    overdueGaps[index]));
            }
        }
        return entries;
    }

    /** Takes the counts of this subtask's key groups from the entries of every subtask's snapshot. */
    void restore(List<Long> entries) {
        for (int i = 0; i + FIELDS - 1 < entries.size(); i += FIELDS) {
            int keyGroup = entries.get(i).intValue();
            if (range.contains(keyGroup)) {
                add(keyGroup, entries.get(i + 1), entries.get(i + 2), entries.get(i + 3));
            }
        }
    }
}
