package io.eventflow.job.projection;

import java.io.Serializable;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.job.model.DeadLetter;
import io.eventflow.job.model.EventEnvelope;
import io.eventflow.job.projection.fold.GuardedFold;
import io.eventflow.job.source.DeadLetters;
import io.eventflow.projection.ProjectedEvent;

/**
 * Turns what a projection's code threw into a dead letter for that projection ({@code stage projection:<name>}), with
 * a bounded reason and the event's type, version and payload as the raw document, and logs it, at most
 * {@link #LOG_BURST} times a minute per projection so that a flood of bad events cannot flood the log.
 */
public final class ProjectionFailures implements GuardedFold.Failures {

    private static final Logger log = LoggerFactory.getLogger(ProjectionFailures.class);
    static final int LOG_BURST = 10;

    /** Bounds of what a dead letter carries. */
    public record Settings(int maxDocumentChars, int maxReasonChars) implements Serializable {
    }

    private final String projection;
    private final Settings settings;
    private final Consumer<DeadLetter> out;
    private long windowStart;
    private int loggedInWindow;
    private long suppressed;

    public ProjectionFailures(String projection, Settings settings, Consumer<DeadLetter> out) {
        this.projection = projection;
        this.settings = settings;
        this.out = out;
    }

    /** The event as projections see it. */
    public static ProjectedEvent view(EventEnvelope event, Upcasters upcasters) {
        return new ProjectedEvent(event.eventId, event.aggregateId, event.aggregateType, event.sequenceNo,
            event.eventType, event.schemaVersion, event.occurredAtMillis, event.payloadJson, event.metadataJson,
            event.commitId, upcasters);
    }

    @Override
    public void failed(EventEnvelope event, String step, Throwable cause) {
        String reason = step + " failed: " + cause;
        logRateLimited(event, reason);
        String raw = "{\"eventType\": " + quote(event.eventType) + ", \"schemaVersion\": " + event.schemaVersion
            + ", \"payload\": " + event.payloadJson + "}";
        out.accept(DeadLetters.of("projection:" + projection, DeadLetters.truncate(reason, settings.maxReasonChars()),
            null, event.aggregateId, event.sequenceNo, event.eventId, event.clusterTime, raw,
            settings.maxDocumentChars()));
    }

    private void logRateLimited(EventEnvelope event, String reason) {
        long now = System.currentTimeMillis();
        if (now - windowStart >= 60_000) {
            if (suppressed > 0) {
                log.warn("projection {}: {} more events were dead-lettered in the last minute (see the dead-letter "
                    + "topic)", projection, suppressed);
            }
            windowStart = now;
            loggedInWindow = 0;
            suppressed = 0;
        }
        if (loggedInWindow++ < LOG_BURST) {
            log.warn("projection {} dead-lettered {}#{} ({} v{}): {}", projection, event.aggregateId, event.sequenceNo,
                event.eventType, event.schemaVersion, DeadLetters.truncate(reason, 500));
        } else {
            suppressed++;
        }
    }

    private static String quote(String text) {
        return text == null ? "null" : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
