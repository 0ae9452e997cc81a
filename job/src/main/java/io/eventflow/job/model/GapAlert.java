package io.eventflow.job.model;

/**
 * A gap in an aggregate's stream that the gap timeout and a read of the event store could not close.
 */
public class GapAlert {

    public String aggregateId;
    /** The first missing sequenceNo. */
    public long missingFrom;
    /** The last missing sequenceNo (the one before the lowest buffered event). */
    public long missingTo;
    public int bufferedEvents;
    public long openSinceMillis;
    /** WAIT, SKIP or FAIL. */
    public String policy;
    /** What the job did: {@code waiting} or {@code skipped}. */
    public String action;
    public long detectedAtMillis;

    public GapAlert() {
    }

    @Override
    public String toString() {
        return "GapAlert{" + aggregateId + " missing " + missingFrom + ".." + missingTo + ", " + action + "}";
    }
}
