package io.eventflow.writer;

/**
 * An eventId of the append is already stored, but not as part of this same append: with different content, on
 * another aggregate or at another position. The append wrote nothing.
 */
public class DuplicateEventException extends EventStoreException {

    private static final long serialVersionUID = 1L;

    private final String eventId;

    public DuplicateEventException(String eventId, String reason) {
        super("Event '" + eventId + "' is already stored " + reason);
        this.eventId = eventId;
    }

    public String eventId() {
        return eventId;
    }
}
