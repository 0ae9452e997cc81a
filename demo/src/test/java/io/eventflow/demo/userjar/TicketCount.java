package io.eventflow.demo.userjar;

/** The state of {@link TicketCountProjection}: a Flink POJO. */
public class TicketCount {
    public String ticketId;
    public long events;

    public TicketCount() {
    }
}
