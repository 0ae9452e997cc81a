package io.eventflow.job.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The committable of the cross-aggregate sink: the newest version of every document one subtask changed during a
 * checkpoint, written to MongoDB when that checkpoint completes.
 *
 * @param writes one per document
 */
public record CrossAggregateBatch(List<Write> writes) {

    /**
     * One document's newest version and the source positions it processed.
     *
     * @param collection       the physical collection (with the job's collection suffix)
     * @param document         the BSON document, or null if it has none yet (every event dead-lettered)
     * @param sourceAggregates aggregates whose events reached the document since its previous committed version
     * @param sourceSequenceNos the highest sequenceNo of each
     */
    public record Write(String collection, String documentKey, long eventCount, byte[] document,
                        String[] sourceAggregates, long[] sourceSequenceNos) {
    }

    /** Version 1: a count, then per write its fields, strings as length-prefixed UTF-8 (ids may exceed 64 KiB). */
    public static final class Serializer implements SimpleVersionedSerializer<CrossAggregateBatch> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(CrossAggregateBatch batch) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(batch.writes().size());
            for (Write write : batch.writes()) {
                writeString(out, write.collection());
                writeString(out, write.documentKey());
                out.writeLong(write.eventCount());
                if (write.document() == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(write.document().length);
                    out.write(write.document());
                }
                out.writeInt(write.sourceAggregates().length);
                for (int i = 0; i < write.sourceAggregates().length; i++) {
                    writeString(out, write.sourceAggregates()[i]);
                    out.writeLong(write.sourceSequenceNos()[i]);
                }
            }
            out.flush();
            return bytes.toByteArray();
        }

        @Override
        public CrossAggregateBatch deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("cross-aggregate batch version " + version + " is unknown; this job reads 1");
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
            int count = in.readInt();
            List<Write> writes = new ArrayList<>(count);
            for (int w = 0; w < count; w++) {
                String collection = readString(in);
                String key = readString(in);
                long eventCount = in.readLong();
                int length = in.readInt();
                byte[] document = null;
                if (length >= 0) {
                    document = new byte[length];
                    in.readFully(document);
                }
                int sources = in.readInt();
                String[] aggregates = new String[sources];
                long[] sequenceNos = new long[sources];
                for (int i = 0; i < sources; i++) {
                    aggregates[i] = readString(in);
                    sequenceNos[i] = in.readLong();
                }
                writes.add(new Write(collection, key, eventCount, document, aggregates, sequenceNos));
            }
            return new CrossAggregateBatch(writes);
        }

        private static void writeString(DataOutputStream out, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        private static String readString(DataInputStream in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
