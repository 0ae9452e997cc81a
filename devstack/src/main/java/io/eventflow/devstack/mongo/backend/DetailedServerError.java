package io.eventflow.devstack.mongo.backend;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * A server error whose reply carries fields besides {@code errmsg}, {@code code} and {@code codeName}, such as the
 * {@code keyPattern} and {@code keyValue} of a duplicate key.
 */
public class DetailedServerError extends MongoServerError {

    private static final long serialVersionUID = 1L;

    private final transient Document details;

    public DetailedServerError(MongoServerError error, Document details) {
        super(error.getCode(), error.getCodeName(), error.getMessageWithoutErrorCode());
        this.details = details.clone();
    }

    /** The fields to add to the error reply. */
    public Document details() {
        return details.clone();
    }
}
