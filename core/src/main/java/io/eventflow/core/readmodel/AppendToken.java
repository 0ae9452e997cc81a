package io.eventflow.core.readmodel;

import java.util.Objects;

/**
 * Identifies an append for read-your-writes: the aggregate and the sequenceNo of the last event it wrote. A service
 * gets one from the writer's {@code AppendResult.token()}, may pass it along as text ({@link #toString()}, for example
 * {@code order-42@7}, in a response header) and later waits until a read model reflects it.
 *
 * @param aggregateId the stream the append wrote to
 * @param sequenceNo  the sequenceNo of its last event
 */
public record AppendToken(String aggregateId, long sequenceNo) {

    public AppendToken {
        Objects.requireNonNull(aggregateId, "aggregateId");
        if (aggregateId.isEmpty()) {
            throw new IllegalArgumentException("aggregateId must not be empty");
        }
        if (sequenceNo < 1) {
            throw new IllegalArgumentException("sequenceNo must be at least 1, was " + sequenceNo);
        }
    }

    /**
     * Reads a token from its text form {@code <aggregateId>@<sequenceNo>}; the aggregateId may itself contain
     * {@code @}, the last one separates.
     *
     * @throws IllegalArgumentException naming the text when it is not a token
     */
    public static AppendToken parse(String text) {
        Objects.requireNonNull(text, "text");
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not an append token: expected <aggregateId>@<sequenceNo>");
        }
        try {
            return new AppendToken(text.substring(0, at), Long.parseLong(text.substring(at + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an append token: the sequenceNo '"
                + text.substring(at + 1) + "' is not a number", e);
        }
    }

    @Override
    public String toString() {
        return aggregateId + "@" + sequenceNo;
    }
}
