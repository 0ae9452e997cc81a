package io.eventflow.devstack.mongo.fault;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@code failCommand} fail point: at most one is active, as on MongoDB; setting a new one replaces it.
 */
public final class FailPoints {

    private static final Logger log = LoggerFactory.getLogger(FailPoints.class);

    private FailCommand active;
    private final AtomicLong triggered = new AtomicLong();

    public synchronized void set(FailCommand failCommand) {
        log.info("fail point set: {}", failCommand);
        active = failCommand;
    }

    public synchronized void clear() {
        if (active != null) {
            log.info("fail point cleared: {}", active);
        }
        active = null;
    }

    /** How many commands the fail point has hit since the server started. */
    public long triggeredCount() {
        return triggered.get();
    }

    /**
     * Consumes one use of the fail point if it applies to the command.
     *
     * @return the fault to apply, or {@code null}
     */
    public synchronized FailCommand trigger(String command, String clientAppName) {
        if (active == null || !active.matches(command, clientAppName)) {
            return null;
        }
        FailCommand hit = active;
        if (active.times() != FailCommand.ALWAYS) {
            active = active.times() == 1 ? null : active.withTimes(active.times() - 1);
        }
        triggered.incrementAndGet();
        log.info("fail point hit by '{}': {}", command, hit);
        return hit;
    }
}
