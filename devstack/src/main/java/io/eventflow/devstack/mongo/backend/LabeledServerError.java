package io.eventflow.devstack.mongo.backend;

import java.util.List;

import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * A server error that carries MongoDB error labels (such as {@code TransientTransactionError}), which drivers use to
 * decide whether to retry a transaction or a commit.
 */
public class LabeledServerError extends MongoServerError {

    private static final long serialVersionUID = 1L;

    private final List<String> errorLabels;

    public LabeledServerError(int code, String codeName, String message, List<String> errorLabels) {
        super(code, codeName, message);
        this.errorLabels = List.copyOf(errorLabels);
    }

    public List<String> getErrorLabels() {
        return errorLabels;
    }
}
