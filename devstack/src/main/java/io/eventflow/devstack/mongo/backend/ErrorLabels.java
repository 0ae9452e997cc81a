package io.eventflow.devstack.mongo.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.eventflow.devstack.mongo.txn.TransactionManager;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * The error labels a MongoDB 6.0 primary puts on an error reply, which drivers use to decide what to retry:
 * {@code TransientTransactionError} (retry the whole transaction), {@code RetryableWriteError} (retry the write or
 * the commit) and {@code ResumableChangeStreamError} (resume the change stream).
 */
public final class ErrorLabels {

    static final String RESUMABLE_CHANGE_STREAM_ERROR = "ResumableChangeStreamError";
    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete", "findAndModify");
    /** Codes of a running change-stream getMore that MongoDB labels resumable. */
    private static final Set<Integer> RESUMABLE_CHANGE_STREAM_CODES = Set.of(6, 7, 43, 63, 89, 91, 133, 150, 189,
        234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436);
    /** Codes on which a commit or abort is worth retrying as a whole new transaction. */
    private static final Set<Integer> TRANSIENT_COMMIT_CODES = Set.of(24, 112, 239, 246, 251, 267);

    private ErrorLabels() {
    }

    /**
     * The error with the labels the server adds, unless it carries explicit ones (from {@code errorLabels} of a fail
     * point, or raised labelled).
     *
     * @param fromRunningChangeStream the error came out of a change stream's aggregate or getMore while it ran (not
     *                                from the failCommand fail point, which fails the command before it runs)
     */
    public static MongoServerError labelled(MongoServerError error, String command, Document query,
                                            boolean fromRunningChangeStream) {
        if (error instanceof LabeledServerError) {
            return error;
        }
        int code = error.getCode();
        boolean commitOrAbort = command.equals("commitTransaction") || command.equals("abortTransaction");
        List<String> labels = new ArrayList<>();
        if (TransactionManager.isTransactional(query)) {
            boolean transientError = commitOrAbort ? TRANSIENT_COMMIT_CODES.contains(code)
                : code == MongoErrors.WRITE_CONFLICT || code == MongoErrors.NO_SUCH_TRANSACTION
                || code == 24 || code == 246 || code == 239 || MongoErrors.isRetryableWriteCode(code);
            if (transientError) {
                labels.add(MongoErrors.TRANSIENT_TRANSACTION_ERROR);
            }
        }
        if ((commitOrAbort || isRetryableWrite(command, query)) && MongoErrors.isRetryableWriteCode(code)) {
            labels.add(MongoErrors.RETRYABLE_WRITE_ERROR);
        }
        if (fromRunningChangeStream && RESUMABLE_CHANGE_STREAM_CODES.contains(code)) {
            labels.add(RESUMABLE_CHANGE_STREAM_ERROR);
        }
        return labels.isEmpty() ? error
            : new LabeledServerError(code, error.getCodeName(), error.getMessageWithoutErrorCode(), labels);
    }

    /**
     * The labels of a reply that succeeded but carries a write concern error: labels given inside the write concern
     * error (as fail points may) are moved to the top level, as MongoDB reports them; otherwise a retryable write
     * concern error on a retryable write or a commit is labelled so that the client retries it.
     */
    public static List<String> forWriteConcernError(String command, Document query, Document writeConcernError) {
        if (writeConcernError.remove("errorLabels") instanceof List<?> given) {
            return given.stream().map(String::valueOf).toList();
        }
        boolean retryableCommand = command.equals("commitTransaction") || command.equals("abortTransaction")
            || isRetryableWrite(command, query);
        boolean retryableCode = writeConcernError.get("code") instanceof Number code
            && MongoErrors.isRetryableWriteCode(code.intValue());
        return retryableCommand && retryableCode ? List.of(MongoErrors.RETRYABLE_WRITE_ERROR) : List.of();
    }

    private static boolean isRetryableWrite(String command, Document query) {
        return TransactionManager.isRetryableWrite(query) && WRITE_COMMANDS.contains(command);
    }
}
