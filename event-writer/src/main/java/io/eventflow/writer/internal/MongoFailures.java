package io.eventflow.writer.internal;

import java.util.Set;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;

/** Classifies the driver's exceptions the way the append loop needs them. */
public final class MongoFailures {

    private static final int DUPLICATE_KEY = 11000;
    private static final Set<Integer> TRANSIENT_CODES = Set.of(
        6, 7, 89, 91, 112, 189, 251, 262, 9001, 10107, 11600, 11602, 13435, 13436);

    private MongoFailures() {
    }

    /** A unique index rejected a document: an eventId or a (aggregateId, sequenceNo) is taken. */
    public static boolean isDuplicateKey(Throwable e) {
        if (e instanceof MongoWriteException write) {
            return write.getError().getCode() == DUPLICATE_KEY;
        }
        if (e instanceof MongoBulkWriteException bulk) {
            return bulk.getWriteErrors().stream().anyMatch(error -> error.getCode() == DUPLICATE_KEY);
        }
        return e instanceof MongoCommandException command && command.getErrorCode() == DUPLICATE_KEY;
    }

    /** Trying again may succeed: network trouble, failover, write conflicts, aborted transactions. */
    public static boolean isTransient(Throwable e) {
        // a pool cleared after a stepdown or shutdown error on another operation: the driver reconnects on its own
        if (e instanceof MongoSocketException || e instanceof MongoTimeoutException
            || e instanceof MongoNotPrimaryException || e instanceof MongoNodeIsRecoveringException
            || e instanceof MongoConnectionPoolClearedException) {
            return true;
        }
        if (!(e instanceof MongoException mongo)) {
            return false;
        }
        if (mongo.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)
            || mongo.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)
            || mongo.hasErrorLabel("RetryableWriteError")) {
            return true;
        }
        if (e instanceof MongoWriteConcernException concern) {
            return TRANSIENT_CODES.contains(concern.getWriteConcernError().getCode());
        }
        return TRANSIENT_CODES.contains(mongo.getCode());
    }
}
