package io.eventflow.writer.aggregate;

import io.eventflow.writer.EventStoreException;
import io.eventflow.writer.WrongExpectedVersionException;

/**
 * An update lost the race for the aggregate's next version more often than its budget allows: other writers kept
 * changing it between each load and save. Nothing of this update was appended. The last conflict is the cause.
 */
public class UpdateConflictException extends EventStoreException {

    private static final long serialVersionUID = 1L;

    private final String aggregateId;
    private final int attempts;

    public UpdateConflictException(String aggregateId, int attempts, long elapsedMillis, WrongExpectedVersionException last) {
        super("update of aggregate '" + aggregateId + "' gave up after " + attempts + " attempts in " + elapsedMillis
            + " ms: it changed under every attempt (last: " + last.getMessage() + ")", last);
        this.aggregateId = aggregateId;
        this.attempts = attempts;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public int attempts() {
        return attempts;
    }

    /** Trying again later may succeed. */
    @Override
    public boolean isTransient() {
        return true;
    }
}
