package io.eventflow.job.projection.summary;

import java.util.Date;

import org.bson.Document;

import io.eventflow.job.projection.ProjectedEvent;
import io.eventflow.job.projection.Projection;

/**
 * A summary of any aggregate's stream ({@code readmodels.stream_summaries}): event count, first and last event type,
 * first and last occurrence.
 */
public final class StreamSummaryProjection implements Projection<StreamSummaryState> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "stream-summary";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return "stream_summaries";
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
        long at = event.occurredAt().toEpochMilli();
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
    public Document toDocument(StreamSummaryState state) {
        return new Document("aggregateType", state.aggregateType)
            .append("eventCount", state.eventCount)
            .append("firstEventType", state.firstEventType)
            .append("lastEventType", state.lastEventType)
            .append("firstOccurredAt", new Date(state.firstOccurredAt))
            .append("lastOccurredAt", new Date(state.lastOccurredAt));
    }
}
