package io.eventflow.writer;

/**
 * The store kept failing with transient errors (network, failover, write conflicts) until the retry policy ran out.
 * The append may be tried again later; with the same {@link NewEvent}s it is idempotent.
 */
public class EventStoreUnavailableException extends EventStoreException {

    private static final long serialVersionUID = 1L;

    public EventStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
