package io.eventflow.job.testing;

import io.eventflow.job.model.EventEnvelope;

/** Event envelopes for operator tests. */
public final class Events {

    public static final long OCCURRED_AT = 1_772_359_200_000L; // 2026-03-01T10:00:00Z

    private Events() {
    }

    public static EventEnvelope event(String aggregateId, long sequenceNo, String eventType, String payloadJson) {
        return event(aggregateId, sequenceNo, eventType, 2, payloadJson);
    }

    public static EventEnvelope event(String aggregateId, long sequenceNo, String eventType, int schemaVersion,
                                      String payloadJson) {
        EventEnvelope envelope = new EventEnvelope();
        envelope.eventId = aggregateId + "-" + sequenceNo;
        envelope.aggregateId = aggregateId;
        envelope.aggregateType = "Tally";
        envelope.sequenceNo = sequenceNo;
        envelope.eventType = eventType;
        envelope.schemaVersion = schemaVersion;
        envelope.occurredAtMillis = OCCURRED_AT + sequenceNo * 1000;
        envelope.payloadJson = payloadJson;
        envelope.metadataJson = "{}";
        return envelope;
    }

    /** A {@code Tallied} v2 event. */
    public static EventEnvelope tallied(String aggregateId, long sequenceNo, String amount) {
        return event(aggregateId, sequenceNo, Tally.TALLIED, Tally.payload(amount, "n" + sequenceNo, null));
    }

    /** A {@code Tallied} v2 event that makes the projections fail as {@code fail} says. */
    public static EventEnvelope failing(String aggregateId, long sequenceNo, String amount, String fail) {
        return event(aggregateId, sequenceNo, Tally.TALLIED, Tally.payload(amount, "n" + sequenceNo, fail));
    }
}
