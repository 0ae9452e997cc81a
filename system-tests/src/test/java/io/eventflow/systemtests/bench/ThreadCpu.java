package io.eventflow.systemtests.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of this JVM's threads between two moments, by who spent it. Unlike throughput, it does not depend on which
 * thread wins the cores on a shared machine, so it compares two versions of the job even when other work runs beside
 * the benchmark. Threads that ended in between are missed (the JVM forgets their time); Flink's task threads and the
 * servers' threads live through a drain.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> cpuAtStart = new HashMap<>();

    private ThreadCpu() {
    }

    /** The CPU time every live thread has used so far. */
    static ThreadCpu start() {
        ThreadCpu cpu = new ThreadCpu();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.cpuAtStart.put(id, nanos);
            }
        }
        return cpu;
    }

    /** Nanoseconds of CPU the threads whose names match have used since {@link #start()} (new threads from 0). */
    long since(Predicate<String> threadName) {
        long total = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null || !threadName.test(info.getThreadName())) {
                continue;
            }
            long nanos = THREADS.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                total += nanos - cpuAtStart.getOrDefault(info.getThreadId(), 0L);
            }
        }
        return total;
    }

    /** The threads of the embedded MongoDB emulator. */
    static boolean emulator(String name) {
        return name.startsWith("mongo-emulator-");
    }

    /** The threads of the embedded Kafka broker. */
    static boolean broker(String name) {
        return name.startsWith("data-plane-kafka") || name.startsWith("kafka-") && !name.startsWith("kafka-producer")
            || name.startsWith("quorum-") || name.startsWith("raft-") || name.startsWith("ExpirationReaper")
            || name.startsWith("LogDirFailureHandler") || name.startsWith("controller-");
    }
}
