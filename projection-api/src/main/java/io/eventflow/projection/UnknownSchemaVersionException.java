package io.eventflow.projection;

/** A stored schema version newer than the upcasters of the running code know: deploy the new upcasters first. */
public final class UnknownSchemaVersionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String eventType;
    private final int schemaVersion;
    private final int currentVersion;

    public UnknownSchemaVersionException(String eventType, int schemaVersion, int currentVersion) {
        super("schemaVersion " + schemaVersion + " of " + eventType + " is newer than this code knows (v"
            + currentVersion + "); deploy the projections with their upcasters first");
        this.eventType = eventType;
        this.schemaVersion = schemaVersion;
        this.currentVersion = currentVersion;
    }

    public String eventType() {
        return eventType;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public int currentVersion() {
        return currentVersion;
    }
}
