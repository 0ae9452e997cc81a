package io.eventflow.demo.userjar;

import java.util.Map;

import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * A user's projection the job has never seen, packed by {@code RunLocalCommandITCase} into a jar of projections only:
 * it counts the events of each Ticket.
 */
public class TicketCountProjection implements Projection<TicketCount> {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "ticket-count";
    }

    @Override
    public String collection() {
        return "ticket_counts";
    }

    @Override
    public Class<TicketCount> stateType() {
        return TicketCount.class;
    }

    @Override
    public TicketCount initialState(String aggregateId) {
        TicketCount state = new TicketCount();
        state.ticketId = aggregateId;
        return state;
    }

    @Override
    public boolean handles(String eventType) {
        return eventType.startsWith("Ticket");
    }

    @Override
    public TicketCount apply(TicketCount state, ProjectedEvent event) {
        state.events++;
        return state;
    }

    @Override
    public Map<String, ?> toDocument(TicketCount state) {
        return Map.of("events", state.events);
    }
}
