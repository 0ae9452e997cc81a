package io.eventflow.job.projection.fold;

import java.util.ArrayList;
import java.util.List;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.projection.ProjectedEvent;

/**
 * One document's place in an operator's mini-batch: its state as of the last flush ({@link #base}, never handed to
 * user code), the state user code folds the batch's events into ({@link #working}), and those events, so that the
 * working state can be computed again from the base when user code fails part-way.
 */
public final class FoldSlot {

    /** An event folded into the working state, kept with the view projections saw. */
    public record Folded(EventEnvelope event, ProjectedEvent view) {
    }

    /** The state as of the last flush; null while the document has none. */
    Object base;
    /** The state with this batch's events folded in; null while no event of the batch changed it. */
    Object working;
    /** The events folded into {@link #working}, in order. */
    List<Folded> applied = new ArrayList<>(2);

    /** Whether the document must be written at the next flush (its state or position changed). */
    public boolean changed;

    // per-aggregate documents: the last event of the stream the document processed
    public long lastSequenceNo;
    public String lastEventId;
    public long lastOccurredAt;

    // cross-aggregate documents: events folded in and the latest occurrence, as of the last flush
    public long baseEventCount;
    public long baseUpdatedAt;

    /** Takes the state stored at the last flush (null: none). */
    public void load(Object stored) {
        base = stored;
    }

    /** The document's current state: the working one if this batch changed it, else the base; null if none. */
    public Object current() {
        return working != null ? working : base;
    }

    /** The events this batch folded in (successfully). */
    public List<Folded> applied() {
        return applied;
    }

    /** Events folded into a cross-aggregate document, this batch's included. */
    public long eventCount() {
        return baseEventCount + applied.size();
    }

    /** The latest occurrence of a cross-aggregate document's events, this batch's included. */
    public long updatedAt() {
        long latest = baseUpdatedAt;
        for (Folded folded : applied) {
            latest = Math.max(latest, folded.event().occurredAtMillis);
        }
        return latest;
    }

    /**
     * Moves a per-aggregate document's position past a placeholder (an event dead-lettered at the source): its
     * sequenceNo and eventId; the time stays that of the last event that occurred.
     */
    public void advancePast(EventEnvelope placeholder) {
        lastSequenceNo = placeholder.sequenceNo;
        lastEventId = placeholder.eventId;
        changed = true;
    }

    /** Moves a per-aggregate document's position to an event it processed (applied, skipped or dead-lettered). */
    public void advanceTo(EventEnvelope event) {
        lastSequenceNo = event.sequenceNo;
        lastEventId = event.eventId;
        lastOccurredAt = event.occurredAtMillis;
        changed = true;
    }
}
