package io.eventflow.job.model;

/**
 * A record of the dead-letter, integrity or alert topic. Its Kafka key names what it is about (a stream position, a
 * change of the event collection, a gap), so the same record repeated after a restart has the same key and a
 * consumer can drop the repeat; and every field can be cut to {@link RecordLimits}, so no input makes it too large
 * to publish.
 */
public interface SideRecord {

    /** The record's Kafka key: the same for the same record, whenever it is produced. */
    String recordKey();

    /** A copy with every field within the limits; this record itself if nothing needs cutting. */
    SideRecord bounded(RecordLimits limits);
}
