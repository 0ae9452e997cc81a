package io.eventflow.job.model;

/**
 * An event on its way to one document of a cross-aggregate projection: the projection, the document's key, and the
 * event. Keyed by (projection, documentKey). A Flink POJO.
 */
public class Contribution {

    public String projection;
    public String documentKey;
    public EventEnvelope event;

    public Contribution() {
    }

    public Contribution(String projection, String documentKey, EventEnvelope event) {
        this.projection = projection;
        this.documentKey = documentKey;
        this.event = event;
    }

    @Override
    public String toString() {
        return "Contribution{" + projection + "/" + documentKey + " <- " + event + "}";
    }
}
