package io.eventflow.writer;

/**
 * The stream was not at the version the append expected: someone else appended first. Reload, decide again, append.
 */
public class WrongExpectedVersionException extends EventStoreException {

    private static final long serialVersionUID = 1L;

    private final String aggregateId;
    private final ExpectedVersion expected;
    private final long actualVersion;

    public WrongExpectedVersionException(String aggregateId, ExpectedVersion expected, long actualVersion) {
        this(aggregateId, expected, actualVersion, "");
    }

    public WrongExpectedVersionException(String aggregateId, ExpectedVersion expected, long actualVersion, String detail) {
        super("Append to aggregate '" + aggregateId + "' expected version " + expected + " but the stream is at version "
            + actualVersion + detail);
        this.aggregateId = aggregateId;
        this.expected = expected;
        this.actualVersion = actualVersion;
    }

    public String aggregateId() {
        return aggregateId;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    /** The stream's version when the conflict was detected (0: no stream). */
    public long actualVersion() {
        return actualVersion;
    }
}
