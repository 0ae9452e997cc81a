package io.eventflow.writer;

/**
 * What the caller believes the stream's current version (its highest {@code sequenceNo}, 0 for no stream) to be.
 * The append fails with {@link WrongExpectedVersionException} if the belief is wrong, so that a decision taken on a
 * stale state never gets written.
 */
public sealed interface ExpectedVersion permits ExpectedVersion.Exactly, ExpectedVersion.NoStream, ExpectedVersion.Any {

    /**
     * The stream must be exactly at this version: the events get sequence numbers {@code version + 1 ...}. This is
     * optimistic concurrency: load at version n, decide, append with {@code exactly(n)}.
     *
     * @throws IllegalArgumentException if {@code version} is negative
     */
    static ExpectedVersion exactly(long version) {
        return new Exactly(version);
    }

    /** The stream must not exist yet: the events get sequence numbers {@code 1 ...}. */
    static ExpectedVersion noStream() {
        return NoStream.INSTANCE;
    }

    /**
     * Append at the end, whatever the current version: the store reads the head and, if another writer gets there
     * first, reads it again and retries, with backoff, within the retry policy.
     */
    static ExpectedVersion any() {
        return Any.INSTANCE;
    }

    /** The version to write after, or -1 for {@link #any()}. */
    long version();

    /** The stream must be at exactly {@code version}. */
    record Exactly(long version) implements ExpectedVersion {
        public Exactly {
            if (version < 0) {
                throw new IllegalArgumentException("expectedVersion must be 0 or more, was " + version);
            }
        }

        @Override
        public String toString() {
            return "exactly(" + version + ")";
        }
    }

    /** The stream must not exist. */
    final class NoStream implements ExpectedVersion {
        static final NoStream INSTANCE = new NoStream();

        private NoStream() {
        }

        @Override
        public long version() {
            return 0;
        }

        @Override
        public String toString() {
            return "noStream()";
        }
    }

    /** Any version: append at the end. */
    final class Any implements ExpectedVersion {
        static final Any INSTANCE = new Any();

        private Any() {
        }

        @Override
        public long version() {
            return -1;
        }

        @Override
        public String toString() {
            return "any()";
        }
    }
}
