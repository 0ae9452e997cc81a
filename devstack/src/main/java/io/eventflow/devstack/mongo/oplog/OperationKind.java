package io.eventflow.devstack.mongo.oplog;

/** The kinds of oplog entries the server records, with the change-event {@code operationType} each one becomes. */
public enum OperationKind {
    INSERT("insert"),
    UPDATE("update"),
    REPLACE("replace"),
    DELETE("delete"),
    DROP("drop"),
    RENAME("rename"),
    DROP_DATABASE("dropDatabase");

    private final String operationType;

    OperationKind(String operationType) {
        this.operationType = operationType;
    }

    public String operationType() {
        return operationType;
    }

    /** Whether this operation ends a change stream on its collection (drop and rename do). */
    public boolean invalidatesCollectionStreams() {
        return this == DROP || this == RENAME || this == DROP_DATABASE;
    }
}
