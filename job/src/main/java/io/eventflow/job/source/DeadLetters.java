package io.eventflow.job.source;

import io.eventflow.job.model.DeadLetter;

/** Builds dead letters, with raw documents truncated to a bound. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(String stage, String reason, String namespace, String aggregateId, long sequenceNo,
                                String eventId, long clusterTime, String rawDocument, int maxDocumentChars) {
        DeadLetter letter = new DeadLetter();
        letter.stage = stage;
        letter.reason = reason;
        letter.namespace = namespace;
        letter.aggregateId = aggregateId;
        letter.sequenceNo = sequenceNo;
        letter.eventId = eventId;
        letter.clusterTime = clusterTime;
        letter.rawDocument = truncate(rawDocument, maxDocumentChars);
        letter.rawDocumentTruncated = rawDocument != null && rawDocument.length() > maxDocumentChars;
        letter.detectedAtMillis = System.currentTimeMillis();
        return letter;
    }

    /** The text, cut to at most {@code maxChars} characters, never between the two halves of a surrogate pair. */
    public static String truncate(String text, int maxChars) {
        if (text == null || text.length() <= maxChars) {
            return text;
        }
        int end = maxChars > 0 && Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, end);
    }
}
