package io.eventflow.job.model;

/**
 * Byte counts of text as the job writes it to Kafka: UTF-8, and inside JSON string literals escaped as Jackson
 * escapes them. The counts for string literals are upper bounds (a control character is counted as a six-byte
 * six-byte {@code \}{@code u00XX} escape even where Jackson writes {@code \n}), so a record whose fields are cut to these counts is
 * never larger than their sum, whatever characters the input holds.
 */
public final class JsonBytes {

    private JsonBytes() {
    }

    /** Exact UTF-8 length of the text (an unpaired surrogate, which Java encodes as '?', counts as 3). */
    public static long utf8(CharSequence text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Upper bound of the bytes of the text inside a JSON string literal, without the two quotes. */
    public static long quoted(CharSequence text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            bytes += width(text.charAt(i));
        }
        return bytes;
    }

    /**
     * The longest prefix of the text whose {@link #quoted} length is at most {@code maxBytes}, never splitting a
     * surrogate pair; the text itself if it fits.
     */
    public static String cutQuoted(String text, long maxBytes) {
        if (text == null) {
            return null;
        }
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            bytes += width(text.charAt(i));
            if (bytes > maxBytes) {
                return text.substring(0, i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? i - 1 : i);
            }
        }
        return text;
    }

    /**
     * Most bytes one character takes in a JSON string literal. Jackson's byte generator (2.17) writes each half of a
     * surrogate pair as a six-byte escape; its character generator writes the pair as four UTF-8 bytes: six each
     * covers both.
     */
    private static int width(char c) {
        if (c == '"' || c == '\\') {
            return 2;
        }
        if (c < 0x20 || Character.isSurrogate(c)) {
            return 6;
        }
        if (c < 0x80) {
            return 1;
        }
        return c < 0x800 ? 2 : 3;
    }
}
