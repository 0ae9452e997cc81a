package io.eventflow.writer.aggregate;

/**
 * Counters of an {@link AggregateRepository} since it was built.
 *
 * @param loads              aggregates loaded (by {@code load}, {@code update} and {@code handle})
 * @param loadsFromSnapshot  loads that started from a snapshot
 * @param eventsReplayed     stored events applied by loads
 * @param snapshotsIgnored   snapshots found but not used: unknown schema version, another aggregate type, unreadable,
 *                           or not matching the stored stream
 * @param conflictsRetried   updates tried again after another writer changed the aggregate first
 * @param snapshotsWritten   snapshots written
 * @param snapshotsDropped   snapshots not written because the background queue was full
 * @param snapshotsFailed    snapshot writes that failed (logged)
 */
public record RepositoryStats(long loads, long loadsFromSnapshot, long eventsReplayed, long snapshotsIgnored,
                              long conflictsRetried, long snapshotsWritten, long snapshotsDropped, long snapshotsFailed) {
}
