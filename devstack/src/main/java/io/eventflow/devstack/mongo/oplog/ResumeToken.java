package io.eventflow.devstack.mongo.oplog;

import java.util.HexFormat;
import java.util.Locale;

import io.eventflow.devstack.mongo.backend.MongoErrors;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Resume tokens in MongoDB's KeyString layout, as clients such as Flink CDC decode them: {@code _data} is an upper-case
 * hex string whose first byte is {@code 0x82} (the KeyString type of a timestamp), followed by the 4-byte seconds and
 * the 4-byte increment, big-endian. The bytes after that are this server's own: a {@code 0x2B} marker ({@code 0x2C}
 * for the token of an invalidate event), the 4-byte index of the operation within its transaction and a {@code 0x04}
 * terminator, so a token names exactly one oplog position.
 */
public final class ResumeToken {

    public static final String DATA_FIELD = "_data";

    private static final int TIMESTAMP_TYPE = 0x82;
    private static final int OP_INDEX_MARKER = 0x2B;
    private static final int INVALIDATE_MARKER = 0x2C;
    private static final int END_MARKER = 0x04;
    private static final int LENGTH = 1 + 8 + 1 + 4 + 1;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private ResumeToken() {
    }

    public static Document toDocument(OplogPosition position) {
        return new Document(DATA_FIELD, encode(position));
    }

    public static String encode(OplogPosition position) {
        return encode(position, false);
    }

    /** The token of the invalidate event that follows the entry at this position. */
    public static Document invalidateToken(OplogPosition position) {
        return new Document(DATA_FIELD, encode(position, true));
    }

    /** Whether a token document is that of an invalidate event (resuming with resumeAfter from it is an error). */
    public static boolean isInvalidate(Object tokenDocument) {
        if (tokenDocument instanceof Document document && document.get(DATA_FIELD) instanceof String data
            && data.length() == LENGTH * 2) {
            try {
                return (HEX.parseHex(data.toUpperCase(Locale.ROOT))[9] & 0xFF) == INVALIDATE_MARKER;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    private static String encode(OplogPosition position, boolean invalidate) {
        byte[] bytes = new byte[LENGTH];
        bytes[0] = (byte) TIMESTAMP_TYPE;
        putInt(bytes, 1, position.seconds());
        putInt(bytes, 5, position.increment());
        bytes[9] = (byte) (invalidate ? INVALIDATE_MARKER : OP_INDEX_MARKER);
        putInt(bytes, 10, (int) position.opIndex());
        bytes[14] = (byte) END_MARKER;
        return HEX.formatHex(bytes);
    }

    /**
     * Decodes a token document ({@code {_data: "82..."}}).
     *
     * @throws de.bwaldvogel.mongo.exception.MongoServerError code 260 (InvalidResumeToken) naming the bad value
     */
    public static OplogPosition decode(Object tokenDocument) {
        if (!(tokenDocument instanceof Document) || !(((Document) tokenDocument).get(DATA_FIELD) instanceof String)) {
            throw MongoErrors.invalidResumeToken("Bad resume token: _data of missing or invalid type in " + tokenDocument);
        }
        String data = ((String) ((Document) tokenDocument).get(DATA_FIELD)).toUpperCase(Locale.ROOT);
        byte[] bytes;
        try {
            bytes = HEX.parseHex(data);
        } catch (IllegalArgumentException e) {
            throw MongoErrors.invalidResumeToken("Bad resume token: _data is not a hex string: '" + data + "'");
        }
        if (bytes.length < 9 || (bytes[0] & 0xFF) != TIMESTAMP_TYPE) {
            throw MongoErrors.invalidResumeToken("Bad resume token: _data '" + data + "' does not start with a timestamp");
        }
        long seconds = getInt(bytes, 1) & 0xFFFFFFFFL;
        long increment = getInt(bytes, 5) & 0xFFFFFFFFL;
        long opIndex = 0;
        int marker = bytes.length == LENGTH ? bytes[9] & 0xFF : -1;
        if ((marker == OP_INDEX_MARKER || marker == INVALIDATE_MARKER) && (bytes[14] & 0xFF) == END_MARKER) {
            opIndex = getInt(bytes, 10) & 0xFFFFFFFFL;
        } else if (bytes.length != 9) {
            throw MongoErrors.invalidResumeToken("Bad resume token: _data '" + data + "' was not issued by this server");
        }
        return new OplogPosition(seconds << 32 | increment, opIndex);
    }

    private static void putInt(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) (value >>> 24);
        bytes[offset + 1] = (byte) (value >>> 16);
        bytes[offset + 2] = (byte) (value >>> 8);
        bytes[offset + 3] = (byte) value;
    }

    private static int getInt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) << 24 | (bytes[offset + 1] & 0xFF) << 16
            | (bytes[offset + 2] & 0xFF) << 8 | (bytes[offset + 3] & 0xFF);
    }
}
