package io.eventflow.readmodels;

/** A read model did not reflect an append within the time a reader was willing to wait. */
public final class ReadModelTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReadModelTimeoutException(String message) {
        super(message);
    }
}
