package io.eventflow.job.projection.summary;

import java.util.List;

import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/** The projections the job ships, for any aggregate: {@code stream-summary}. */
public final class BuiltInProjections implements ProjectionProvider {

    @Override
    public List<Projection<?>> projections() {
        return List.of(new StreamSummaryProjection());
    }
}
