package io.eventflow.writer.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Fair locks per aggregate (striped), so that the threads of one process appending to the same aggregate with
 * {@code any()} take turns instead of racing each other for the head at the server, where an unlucky thread could
 * lose every race until its retry budget ran out. Races with other processes remain and are retried.
 */
final class AggregateLocks {

    private final ReentrantLock[] stripes;

    AggregateLocks(int stripes) {
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock(true);
        }
    }

    ReentrantLock lockFor(String aggregateId) {
        return stripes[Math.floorMod(aggregateId.hashCode(), stripes.length)];
    }
}
