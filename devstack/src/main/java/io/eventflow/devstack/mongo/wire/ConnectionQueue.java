package io.eventflow.devstack.mongo.wire;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's requests on the shared workers one after the other, in arrival order, as MongoDB does: an
 * unacknowledged write the client did not wait for still runs before the request sent after it.
 */
final class ConnectionQueue {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionQueue.class);

    private final Executor workers;
    private final Queue<Runnable> pending = new ArrayDeque<>();
    private boolean running;

    ConnectionQueue(Executor workers) {
        this.workers = workers;
    }

    synchronized void submit(Runnable request) {
        pending.add(request);
        if (!running) {
            running = true;
            workers.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = pending.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // a request that failed outside the command handling must not stop the connection's later requests
                LOG.warn("a request failed unexpectedly", e);
            }
        }
    }
}
