package io.eventflow.devstack.mongo.backend;

import io.eventflow.devstack.mongo.fault.FailPoints;
import io.eventflow.devstack.mongo.fault.StatementFault;

import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Applies the {@code onPrimaryTransactionalWrite} fail point to the statements of the retryable write the current
 * request thread runs: a statement may fail before it is applied, and the reply may be replaced by a dropped
 * connection after the command ran (its outcome is then unknown to the client, which retries).
 */
final class RetryableWriteFaults {

    private static final ThreadLocal<Boolean> CLOSE_AFTER_COMMAND = ThreadLocal.withInitial(() -> false);

    private final FailPoints failPoints;

    RetryableWriteFaults(FailPoints failPoints) {
        this.failPoints = failPoints;
    }

    /**
     * Called before a statement of a retryable write is applied.
     *
     * @throws MongoServerError with the fail point's {@code failBeforeCommitExceptionCode}: the statement must not be
     *                          applied
     */
    void beforeStatement() {
        StatementFault fault = failPoints.onRetryableWriteStatement();
        if (fault == null) {
            return;
        }
        if (fault.closeConnection()) {
            CLOSE_AFTER_COMMAND.set(true);
        }
        if (fault.failBeforeCommitCode() != null) {
            int code = fault.failBeforeCommitCode();
            throw new MongoServerError(code, ErrorCodeNames.of(code),
                "Failing write due to the onPrimaryTransactionalWrite fail point. The write must not be reflected.");
        }
    }

    /** Whether the command that just ran must drop its connection instead of replying; resets the flag. */
    static boolean takeCloseAfterCommand() {
        boolean close = CLOSE_AFTER_COMMAND.get();
        CLOSE_AFTER_COMMAND.remove();
        return close;
    }
}
