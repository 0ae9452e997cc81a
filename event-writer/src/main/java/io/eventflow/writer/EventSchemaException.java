package io.eventflow.writer;

/**
 * A stored event cannot be read at the current schema: its {@code schemaVersion} is newer than the registered
 * upcasters know (deploy the code that knows it), or an upcaster failed on its payload. Nothing is returned in its
 * place, because an event read at the wrong schema would give a wrong state.
 */
public class EventSchemaException extends EventStoreException {

    private static final long serialVersionUID = 1L;

    private final String eventId;

    public EventSchemaException(RecordedEvent event, String reason, Throwable cause) {
        super("event " + event.eventId() + " (" + event.aggregateId() + "#" + event.sequenceNo() + ", "
            + event.eventType() + " v" + event.schemaVersion() + ") cannot be read at the current schema: " + reason, cause);
        this.eventId = event.eventId();
    }

    public String eventId() {
        return eventId;
    }
}
