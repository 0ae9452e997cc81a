package io.eventflow.devstack.cluster.testjob;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.TwoPhaseCommittingSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An exactly-once file sink in the way Flink's FileSink works: between checkpoints each writer keeps its lines; at a
 * checkpoint it writes them to {@code pending/} and hands the file's name to Flink as a committable, which Flink keeps
 * in the checkpoint; once the checkpoint completes, the committer moves the file into {@code committed/}. After a
 * failure, pending files that no completed checkpoint names are never committed, and committables restored from a
 * checkpoint are committed again, which finds them already moved. So {@code committed/} holds each record once.
 */
@SuppressWarnings("deprecation") // TwoPhaseCommittingSink: Flink 1.19's two-phase sink; 1.20 splits it into interfaces
public final class CommittedFileSink implements TwoPhaseCommittingSink<String, String> {

    private final String directory;

    public CommittedFileSink(String directory) {
        this.directory = directory;
    }

    @Override
    public PrecommittingSinkWriter<String, String> createWriter(InitContext context) throws IOException {
        Files.createDirectories(Path.of(directory, "pending"));
        Files.createDirectories(Path.of(directory, "committed"));
        return new Writer(Path.of(directory), context.getSubtaskId());
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new FileCommitter(Path.of(directory));
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return new FileNameSerializer();
    }

    private static final class Writer implements PrecommittingSinkWriter<String, String> {
        private final Path directory;
        private final int subtask;
        private final List<String> lines = new ArrayList<>();

        Writer(Path directory, int subtask) {
            this.directory = directory;
            this.subtask = subtask;
        }

        @Override
        public void write(String line, SinkWriter.Context context) {
            lines.add(line);
        }

        @Override
        public void flush(boolean endOfInput) {
        }

        @Override
        public Collection<String> prepareCommit() throws IOException {
            if (lines.isEmpty()) {
                return List.of();
            }
            String name = "part-" + subtask + "-" + System.currentTimeMillis() + "-" + UUID.randomUUID() + ".txt";
            Path temporary = directory.resolve("pending").resolve(name + ".tmp");
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            Files.move(temporary, directory.resolve("pending").resolve(name), StandardCopyOption.ATOMIC_MOVE);
            lines.clear();
            return List.of(name);
        }

        @Override
        public void close() {
        }
    }

    private static final class FileCommitter implements Committer<String> {
        private final Path directory;

        FileCommitter(Path directory) {
            this.directory = directory;
        }

        @Override
        public void commit(Collection<CommitRequest<String>> requests) throws IOException {
            for (CommitRequest<String> request : requests) {
                Path pending = directory.resolve("pending").resolve(request.getCommittable());
                Path committed = directory.resolve("committed").resolve(request.getCommittable());
                try {
                    Files.move(pending, committed, StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException e) {
                    if (Files.exists(committed)) {
                        request.signalAlreadyCommitted();
                    } else {
                        request.signalFailedWithKnownReason(
                            new IOException("committable " + request.getCommittable() + " is neither pending nor committed"));
                    }
                }
            }
        }

        @Override
        public void close() {
        }
    }

    private static final class FileNameSerializer implements SimpleVersionedSerializer<String> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(String name) {
            return name.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(int version, byte[] serialized) {
            return new String(serialized, StandardCharsets.UTF_8);
        }
    }
}
