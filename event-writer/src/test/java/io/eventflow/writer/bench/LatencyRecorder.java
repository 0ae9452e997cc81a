package io.eventflow.writer.bench;

import java.util.Arrays;

/** Latencies of one benchmark run, kept whole (runs are short) so percentiles are exact. */
final class LatencyRecorder {

    private long[] nanos = new long[1 << 16];
    private int count;

    synchronized void record(long latencyNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = latencyNanos;
    }

    synchronized double percentileMillis(double percentile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.ceil(percentile / 100.0 * count) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }

    synchronized double meanMillis() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += nanos[i];
        }
        return count == 0 ? Double.NaN : sum / (double) count / 1_000_000.0;
    }

    synchronized int count() {
        return count;
    }
}
