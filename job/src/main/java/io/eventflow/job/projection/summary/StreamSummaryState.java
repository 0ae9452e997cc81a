package io.eventflow.job.projection.summary;

/** State of the stream summary (a Flink POJO). */
public class StreamSummaryState {

    public String aggregateType;
    public long eventCount;
    public String firstEventType;
    public String lastEventType;
    public long firstOccurredAt;
    public long lastOccurredAt;

    public StreamSummaryState() {
    }
}
