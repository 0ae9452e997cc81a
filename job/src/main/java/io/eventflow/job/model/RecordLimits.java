package io.eventflow.job.model;

import java.io.Serializable;

/**
 * The bounds of every record the job writes to Kafka's dead-letter, integrity and alert topics. Each field is cut to
 * its bound in bytes as it is written (UTF-8, JSON-escaped; see {@link JsonBytes}), so a record is never larger than
 * {@link #worstCaseSideRecordBytes()}, whatever the input held; the job's configuration checks that this fits
 * {@code kafka.max-record-bytes}, which in turn must stay below the producers' {@code max.request.size}.
 *
 * @param maxRecordBytes   {@code kafka.max-record-bytes}: the budget of one record (key, value and headers)
 * @param maxDocumentBytes {@code dead-letter.max-document-bytes}: a raw document, an integrity record's document or
 *                         update description
 */
public record RecordLimits(int maxRecordBytes, int maxDocumentBytes) implements Serializable {

    /** A reason (why an event was dead-lettered), as written. */
    public static final int MAX_REASON_BYTES = 8 * 1024;
    /** An identifier or a name: aggregateId, eventId, namespace, stage, document key, ... */
    public static final int MAX_IDENTIFIER_BYTES = 1024;
    /** Identifier-sized fields of the largest side record, its key included (a dead letter has 7). */
    static final int MAX_IDENTIFIERS = 10;
    /** Field names, numbers, booleans and punctuation of the largest side record. */
    static final int FIXED_BYTES = 1024;
    /** What is cut gets this mark, inside the field's bound. */
    static final String CUT_MARK = "...";

    public RecordLimits {
        if (maxRecordBytes < 1 || maxDocumentBytes < 1) {
            throw new IllegalArgumentException("record limits must be positive: maxRecordBytes " + maxRecordBytes
                + ", maxDocumentBytes " + maxDocumentBytes);
        }
    }

    /** The largest side record these limits allow: two documents, a reason, the identifiers and the fixed part. */
    public long worstCaseSideRecordBytes() {
        return 2L * maxDocumentBytes + MAX_REASON_BYTES + (long) MAX_IDENTIFIERS * MAX_IDENTIFIER_BYTES + FIXED_BYTES;
    }

    /** The identifier, cut to {@link #MAX_IDENTIFIER_BYTES} (with a mark) if it is longer. */
    public String identifier(String text) {
        return cut(text, MAX_IDENTIFIER_BYTES);
    }

    /** The reason, cut to {@link #MAX_REASON_BYTES} (with a mark) if it is longer. */
    public String reason(String text) {
        return cut(text, MAX_REASON_BYTES);
    }

    /** The document, cut to {@code maxDocumentBytes} if it is longer (the record's flag says it was cut). */
    public String document(String text) {
        return JsonBytes.cutQuoted(text, maxDocumentBytes);
    }

    /** Whether {@link #document} cuts the text. */
    public boolean cutsDocument(String text) {
        return text != null && JsonBytes.quoted(text) > maxDocumentBytes;
    }

    /** These limits with no room for documents: what a record falls back to if it were ever over its budget. */
    public RecordLimits withoutDocuments() {
        return new RecordLimits(maxRecordBytes, 1);
    }

    private static String cut(String text, int maxBytes) {
        if (text == null || JsonBytes.quoted(text) <= maxBytes) {
            return text;
        }
        return JsonBytes.cutQuoted(text, maxBytes - CUT_MARK.length()) + CUT_MARK;
    }
}
