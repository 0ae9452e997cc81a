package io.eventflow.job.projection.summary;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * A summary of any aggregate's stream ({@code readmodels.stream_summaries}): event count, first and last event type,
 * first and last occurrence.
 */
public final class StreamSummaryProjection implements Projection<StreamSummaryState> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "stream-summary";
    public static final String COLLECTION = "stream_summaries";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return COLLECTION;
    }

    @Override
    public Class<StreamSummaryState> stateType() {
        return StreamSummaryState.class;
    }

    @Override
    public StreamSummaryState initialState(String aggregateId) {
        return new StreamSummaryState();
    }

    @Override
    public StreamSummaryState apply(StreamSummaryState state, ProjectedEvent event) {
        long at = event.occurredAtMillis();
        if (state.eventCount == 0) {
            state.firstEventType = event.eventType();
            state.firstOccurredAt = at;
        }
        state.eventCount++;
        state.aggregateType = event.aggregateType();
        state.lastEventType = event.eventType();
        state.lastOccurredAt = at;
        return state;
    }

    @Override
    public Map<String, ?> toDocument(StreamSummaryState state) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("aggregateType", state.aggregateType);
        document.put("eventCount", state.eventCount);
        document.put("firstEventType", state.firstEventType);
        document.put("lastEventType", state.lastEventType);
        document.put("firstOccurredAt", Instant.ofEpochMilli(state.firstOccurredAt));
        document.put("lastOccurredAt", Instant.ofEpochMilli(state.lastOccurredAt));
        return document;
    }
}
