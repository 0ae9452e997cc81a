package io.eventflow.writer;

/**
 * Base of the event store's failures. {@link #isTransient()} tells whether trying again later can succeed.
 */
public class EventStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventStoreException(String message) {
        super(message);
    }

    /** Whether the same operation may succeed if tried again later. */
    public boolean isTransient() {
        return false;
    }
}
