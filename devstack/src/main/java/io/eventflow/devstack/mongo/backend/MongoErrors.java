package io.eventflow.devstack.mongo.backend;

import java.util.List;

import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * Factories for the server errors the compatibility layer raises, with MongoDB's codes, code names and messages, so
 * that drivers classify them exactly as they would for a real server (retryable or not, transient or not).
 */
public final class MongoErrors {

    public static final int BAD_VALUE = 2;
    public static final int FAILED_TO_PARSE = 9;
    public static final int TYPE_MISMATCH = 14;
    public static final int INTERNAL_ERROR = 1;
    public static final int COMMAND_NOT_FOUND = 59;
    public static final int IMMUTABLE_FIELD = 66;
    public static final int INVALID_OPTIONS = 72;
    public static final int HOST_UNREACHABLE = 6;
    public static final int HOST_NOT_FOUND = 7;
    public static final int NETWORK_TIMEOUT = 89;
    public static final int SHUTDOWN_IN_PROGRESS = 91;
    public static final int WRITE_CONFLICT = 112;
    public static final int NO_SUCH_TRANSACTION = 251;
    public static final int TRANSACTION_COMMITTED = 256;
    public static final int INVALID_RESUME_TOKEN = 260;
    public static final int OPERATION_NOT_SUPPORTED_IN_TRANSACTION = 263;
    public static final int CHANGE_STREAM_FATAL_ERROR = 280;
    public static final int CHANGE_STREAM_HISTORY_LOST = 286;
    public static final int PRIMARY_STEPPED_DOWN = 189;
    public static final int NOT_WRITABLE_PRIMARY = 10107;
    public static final int INTERRUPTED_AT_SHUTDOWN = 11600;
    public static final int INTERRUPTED_DUE_TO_REPL_STATE_CHANGE = 11602;
    public static final int NOT_PRIMARY_NO_SECONDARY_OK = 13435;
    public static final int NOT_PRIMARY_OR_SECONDARY = 13436;
    public static final int SOCKET_EXCEPTION = 9001;
    public static final int EXCEEDED_TIME_LIMIT = 262;
    public static final int CURSOR_NOT_FOUND = 43;
    public static final int DUPLICATE_KEY = 11000;

    /** Error codes on which MongoDB labels a failed retryable write or transaction commit {@code RetryableWriteError}. */
    private static final List<Integer> RETRYABLE_WRITE_CODES = List.of(
        HOST_UNREACHABLE, HOST_NOT_FOUND, NETWORK_TIMEOUT, SHUTDOWN_IN_PROGRESS, PRIMARY_STEPPED_DOWN,
        EXCEEDED_TIME_LIMIT, SOCKET_EXCEPTION, NOT_WRITABLE_PRIMARY, INTERRUPTED_AT_SHUTDOWN,
        INTERRUPTED_DUE_TO_REPL_STATE_CHANGE, NOT_PRIMARY_NO_SECONDARY_OK, NOT_PRIMARY_OR_SECONDARY);

    public static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";
    public static final String UNKNOWN_TRANSACTION_COMMIT_RESULT = "UnknownTransactionCommitResult";
    public static final String RETRYABLE_WRITE_ERROR = "RetryableWriteError";

    private MongoErrors() {
    }

    public static boolean isRetryableWriteCode(int code) {
        return RETRYABLE_WRITE_CODES.contains(code);
    }

    public static LabeledServerError writeConflict(String message) {
        return new LabeledServerError(WRITE_CONFLICT, "WriteConflict", message, List.of(TRANSIENT_TRANSACTION_ERROR));
    }

    public static LabeledServerError noSuchTransaction(long txnNumber, String reason) {
        return new LabeledServerError(NO_SUCH_TRANSACTION, "NoSuchTransaction",
            "Transaction with { txnNumber: " + txnNumber + " } has been aborted" + (reason == null ? "" : ": " + reason),
            List.of(TRANSIENT_TRANSACTION_ERROR));
    }

    public static MongoServerError transactionCommitted(long txnNumber) {
        return new MongoServerError(TRANSACTION_COMMITTED, "TransactionCommitted",
            "Transaction with { txnNumber: " + txnNumber + " } has been committed.");
    }

    public static MongoServerError notSupportedInTransaction(String command) {
        return new MongoServerError(OPERATION_NOT_SUPPORTED_IN_TRANSACTION, "OperationNotSupportedInTransaction",
            "Cannot run '" + command + "' in a multi-document transaction (inside transactions the eventflow "
                + "MongoDB emulator supports insert, update, delete, findAndModify, find, getMore, aggregate, "
                + "distinct, create, createIndexes, commitTransaction and abortTransaction, as MongoDB 6.0 does).");
    }

    public static MongoServerError historyLost() {
        return new MongoServerError(CHANGE_STREAM_HISTORY_LOST, "ChangeStreamHistoryLost",
            "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
    }

    public static MongoServerError invalidResumeToken(String message) {
        return new MongoServerError(INVALID_RESUME_TOKEN, "InvalidResumeToken", message);
    }

    public static MongoServerError badValue(String message) {
        return new MongoServerError(BAD_VALUE, "BadValue", message);
    }

    public static MongoServerError failedToParse(String message) {
        return new MongoServerError(FAILED_TO_PARSE, "FailedToParse", message);
    }

    public static MongoServerError invalidOptions(String message) {
        return new MongoServerError(INVALID_OPTIONS, "InvalidOptions", message);
    }

    public static MongoServerError typeMismatch(String message) {
        return new MongoServerError(TYPE_MISMATCH, "TypeMismatch", message);
    }

    public static MongoServerError immutableId() {
        return new MongoServerError(IMMUTABLE_FIELD, "ImmutableField",
            "Performing an update on the path '_id' would modify the immutable field '_id'");
    }

    public static MongoServerError cursorNotFound(long cursorId) {
        return new MongoServerError(CURSOR_NOT_FOUND, "CursorNotFound", "cursor id " + cursorId + " not found");
    }

    public static MongoServerError internal(String message) {
        return new MongoServerError(INTERNAL_ERROR, "InternalError", message);
    }
}
