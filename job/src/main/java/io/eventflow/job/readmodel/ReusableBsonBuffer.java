package io.eventflow.job.readmodel;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.bson.ByteBuf;
import org.bson.ByteBufNIO;
import org.bson.io.OutputBuffer;

/**
 * The byte array a {@link org.bson.BsonBinaryWriter} writes read models into, kept by one operator and reused for
 * every document it encodes ({@link #reset()}).
 *
 * <p>Why not the driver's {@code BasicOutputBuffer}: it writes numbers byte by byte and strings code point by code
 * point, and a new one per document grows several times. Encoding read models was the largest cost of the
 * projection operator in profiles (BENCHMARKS.md); here numbers are written whole and ASCII strings in one pass.
 * Anything else takes the library's own path, so the bytes are the same.
 */
final class ReusableBsonBuffer extends OutputBuffer {

    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] bytes;
    private int position;

    ReusableBsonBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    /** Forgets what was written; the array is kept. */
    void reset() {
        position = 0;
    }

    @Override
    public void writeByte(int value) {
        ensure(1);
        bytes[position++] = (byte) value;
    }

    @Override
    public void writeBytes(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, position, length);
        position += length;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        writeBytes(source, offset, length);
    }

    @Override
    public void writeInt32(int value) {
        ensure(4);
        INT32.set(bytes, position, value);
        position += 4;
    }

    @Override
    public void writeInt32(int at, int value) {
        checkWritten(at, 4);
        INT32.set(bytes, at, value);
    }

    @Override
    protected void write(int at, int value) {
        checkWritten(at, 1);
        bytes[at] = (byte) value;
    }

    @Override
    public void writeInt64(long value) {
        ensure(8);
        INT64.set(bytes, position, value);
        position += 8;
    }

    @Override
    public void writeDouble(double value) {
        writeInt64(Double.doubleToRawLongBits(value));
    }

    @Override
    public void writeCString(String value) {
        int start = position;
        if (!writeAscii(value, true)) {
            position = start;
            super.writeCString(value); // non-ASCII, or a NUL the library rejects with its own message
        }
    }

    @Override
    public void writeString(String value) {
        int start = position;
        writeInt32(value.length() + 1);
        if (!writeAscii(value, false)) {
            position = start;
            super.writeString(value);
        }
    }

    /** Writes the characters and a terminating 0 if they are all ASCII (and not NUL, for a C string). */
    private boolean writeAscii(String value, boolean cString) {
        int length = value.length();
        ensure(length + 1);
        byte[] target = bytes;
        int at = position;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x80 || (cString && c == 0)) {
                return false;
            }
            target[at++] = (byte) c;
        }
        target[at++] = 0;
        position = at;
        return true;
    }

    @Override
    public int getPosition() {
        return position;
    }

    @Override
    public int getSize() {
        return position;
    }

    @Override
    public void truncateToPosition(int newPosition) {
        if (newPosition > position || newPosition < 0) {
            throw new IllegalArgumentException("cannot truncate to " + newPosition + ", " + position + " bytes written");
        }
        position = newPosition;
    }

    @Override
    public int pipe(OutputStream out) throws IOException {
        out.write(bytes, 0, position);
        return position;
    }

    @Override
    public List<ByteBuf> getByteBuffers() {
        return List.of(new ByteBufNIO(ByteBuffer.wrap(bytes, 0, position).slice().order(ByteOrder.LITTLE_ENDIAN)));
    }

    @Override
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, position);
    }

    private void ensure(int more) {
        int needed = position + more;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
    }

    private void checkWritten(int at, int length) {
        if (at < 0 || at + length > position) {
            throw new IllegalArgumentException("position " + at + " is outside the " + position + " bytes written");
        }
    }
}
