package io.eventflow.job.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An event the job could not process: what it was, where, and why. Published to the dead-letter topic; nothing is
 * lost, and the job goes on.
 */
public class DeadLetter implements SideRecord {

    /** Where it was rejected: {@code source} (validation), {@code projection:<name>}, {@code kafka}. */
    public String stage;
    public String reason;
    /** The namespace it came from. */
    public String namespace;
    /** Known when the document had them. */
    public String aggregateId;
    public long sequenceNo;
    public String eventId;
    public long clusterTime;
    /** The raw document as extended JSON, truncated to the configured limit. */
    public String rawDocument;
    public boolean rawDocumentTruncated;
    public long detectedAtMillis;

    public DeadLetter() {
    }

    /**
     * {@code <stage>/<aggregateId>#<sequenceNo>} for an event with a position; else {@code <stage>/event:<eventId>};
     * else {@code <stage>/document:<hash of the raw document>}.
     */
    @Override
    public String recordKey() {
        if (aggregateId != null && sequenceNo > 0) {
            return stage + "/" + aggregateId + "#" + sequenceNo;
        }
        if (eventId != null) {
            return stage + "/event:" + eventId;
        }
        return stage + "/document:" + hash(rawDocument);
    }

    @Override
    public DeadLetter bounded(RecordLimits limits) {
        boolean cutDocument = limits.cutsDocument(rawDocument);
        DeadLetter bounded = new DeadLetter();
        bounded.stage = limits.identifier(stage);
        bounded.reason = limits.reason(reason);
        bounded.namespace = limits.identifier(namespace);
        bounded.aggregateId = limits.identifier(aggregateId);
        bounded.sequenceNo = sequenceNo;
        bounded.eventId = limits.identifier(eventId);
        bounded.clusterTime = clusterTime;
        bounded.rawDocument = limits.document(rawDocument);
        bounded.rawDocumentTruncated = rawDocumentTruncated || cutDocument;
        bounded.detectedAtMillis = detectedAtMillis;
        return bounded;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(String.valueOf(text).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "DeadLetter{" + stage + ": " + reason + ", " + aggregateId + "#" + sequenceNo + ", eventId=" + eventId + "}";
    }
}
