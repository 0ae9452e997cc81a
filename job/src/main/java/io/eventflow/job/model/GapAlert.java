package io.eventflow.job.model;

/**
 * A gap in an aggregate's stream that the gap timeout and a read of the event store could not close.
 */
public class GapAlert implements SideRecord {

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

    /** {@code <aggregateId>#<missingFrom>..<missingTo>/<action>}: one alert about one gap. */
    @Override
    public String recordKey() {
        return aggregateId + "#" + missingFrom + ".." + missingTo + "/" + action;
    }

    @Override
    public GapAlert bounded(RecordLimits limits) {
        GapAlert bounded = new GapAlert();
        bounded.aggregateId = limits.identifier(aggregateId);
        bounded.missingFrom = missingFrom;
        bounded.missingTo = missingTo;
        bounded.bufferedEvents = bufferedEvents;
        bounded.openSinceMillis = openSinceMillis;
        bounded.policy = limits.identifier(policy);
        bounded.action = limits.identifier(action);
        bounded.detectedAtMillis = detectedAtMillis;
        return bounded;
    }

    @Override
    public String toString() {
        return "GapAlert{" + aggregateId + " missing " + missingFrom + ".." + missingTo + ", " + action + "}";
    }
}
