package io.eventflow.demo.userjar;

import java.util.List;

import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/** The provider of the user's jar; {@link Broken} is one whose jar cannot start a job. */
public class TicketProjections implements ProjectionProvider {

    @Override
    public List<Projection<?>> projections() {
        return List.of(new TicketCountProjection());
    }

    /** A provider that fails to list its projections. */
    public static class Broken implements ProjectionProvider {

        @Override
        public List<Projection<?>> projections() {
            throw new IllegalStateException("the ticket projections need a licence key");
        }
    }
}
