package io.eventflow.ops.rest;

/** A Flink REST call that failed or answered with an error; the message names the call and Flink's reason. */
public class FlinkRestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FlinkRestException(String message) {
        super(message);
    }

    public FlinkRestException(String message, Throwable cause) {
        super(message, cause);
    }
}
