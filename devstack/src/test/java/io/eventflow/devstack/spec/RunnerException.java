package io.eventflow.devstack.spec;

/**
 * The runner cannot run a test as written (an unknown operation, argument or entity, a malformed file): an error of
 * the runner or of the file, never an error the operation under test returned.
 */
final class RunnerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RunnerException(String message) {
        super(message);
    }

    RunnerException(String message, Throwable cause) {
        super(message, cause);
    }
}
