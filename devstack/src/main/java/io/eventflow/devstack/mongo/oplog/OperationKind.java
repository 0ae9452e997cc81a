package io.eventflow.devstack.mongo.oplog;

/** The kinds of oplog entries the server records, with the change-event {@code operationType} each one becomes. */
public enum OperationKind {
    INSERT("insert"),
    UPDATE("update"),
    REPLACE("replace"),
    DELETE("delete"),
    DROP("drop"),
    RENAME("rename"),
    DROP_DATABASE("dropDatabase"),
    /** Expanded events: only streams opened with {@code showExpandedEvents} see these. */
    CREATE("create"),
    CREATE_INDEXES("createIndexes"),
    DROP_INDEXES("dropIndexes"),
    MODIFY("modify");

    private final String operationType;

    OperationKind(String operationType) {
        this.operationType = operationType;
    }

    public String operationType() {
        return operationType;
    }

    /** Whether only streams with {@code showExpandedEvents} see this operation. */
    public boolean isExpanded() {
        return this == CREATE || this == CREATE_INDEXES || this == DROP_INDEXES || this == MODIFY;
    }

    /** Whether the event of this operation can carry pre- and post-images. */
    public boolean changesADocument() {
        return this == UPDATE || this == REPLACE || this == DELETE;
    }

    /** Whether this operation ends a change stream on its collection (drop and rename do). */
    public boolean invalidatesCollectionStreams() {
        return this == DROP || this == RENAME || this == DROP_DATABASE;
    }
}
