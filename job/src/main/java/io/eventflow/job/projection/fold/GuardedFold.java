package io.eventflow.job.projection.fold;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.job.model.EventEnvelope;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.UnknownSchemaVersionException;

/**
 * Runs one projection's user code so that nothing it throws can take the job down or leave a partly changed state
 * behind. The contract, for every method of the projection ({@code handles}, {@code initialState}, {@code apply},
 * {@code toDocument}) and for the encoding of its document:
 *
 * <ul>
 *   <li>the event is dead-lettered for this projection, with the step and the exception as the reason;</li>
 *   <li>the projection's state is exactly what it was before the event: user code never sees the stored state (it
 *       folds into a copy), and after a failure the working state is computed again from the stored one and the
 *       batch's other events;</li>
 *   <li>a document that cannot be built or encoded is found at the flush: the batch's events are folded again one at
 *       a time from the stored state, and each one whose document fails is dead-lettered and left out.</li>
 * </ul>
 *
 * Only JVM-fatal errors (out of memory, internal errors) escape. Not thread-safe: one per projection and operator
 * instance.
 */
public final class GuardedFold {

    private static final Logger log = LoggerFactory.getLogger(GuardedFold.class);

    /** What became of an event. */
    public enum Outcome { APPLIED, SKIPPED, FAILED }

    /** Where dead-lettered events go. */
    @FunctionalInterface
    public interface Failures {
        /**
         * @param step  the user code that failed: {@code handles}, {@code initialState}, {@code apply} or
         *              {@code toDocument}
         */
        void failed(EventEnvelope event, String step, Throwable cause);
    }

    /** Builds and encodes a document: the projection's fields plus the job's, for a slot's current position. */
    @FunctionalInterface
    public interface DocumentWriter {
        byte[] write(String key, Map<String, ?> fields, FoldSlot slot);
    }

    private final KeyedFold fold;
    private final TypeSerializer<Object> serializer;
    private final Failures failures;
    private final Counter applied;
    private final Counter skipped;
    private final Counter failed;
    private final Counter unknownVersions;

    @SuppressWarnings("unchecked")
    public GuardedFold(KeyedFold fold, ExecutionConfig config, Failures failures, Counter applied, Counter skipped,
                       Counter failed, Counter unknownVersions) {
        this.fold = fold;
        this.serializer = (TypeSerializer<Object>) TypeInformation.of(fold.stateType()).createSerializer(config);
        this.failures = failures;
        this.applied = applied;
        this.skipped = skipped;
        this.failed = failed;
        this.unknownVersions = unknownVersions;
    }

    public KeyedFold fold() {
        return fold;
    }

    /** Whether the projection looks at this event type; a failure dead-letters the event. */
    public boolean handles(EventEnvelope event) {
        try {
            return fold.handles(event.eventType);
        } catch (Throwable t) {
            fail(event, "handles", t);
            return false;
        }
    }

    /**
     * Folds an event into the slot's working state.
     *
     * @param event an event the caller may recycle after the call (it is copied if kept)
     * @param view  the event as projections see it; shared by the projections of one operator
     */
    public Outcome fold(FoldSlot slot, String key, EventEnvelope event, ProjectedEvent view) {
        boolean handled;
        try {
            handled = fold.handles(event.eventType);
        } catch (Throwable t) {
            fail(event, "handles", t);
            return Outcome.FAILED;
        }
        if (!handled) {
            skipped.inc();
            return Outcome.SKIPPED;
        }
        String step = "initialState";
        try {
            Object state = slot.working;
            if (state == null) {
                state = slot.base != null ? serializer.copy(slot.base) : fold.initialState(key);
                requireState(state, "initialState");
            }
            step = "apply";
            slot.working = requireState(fold.apply(state, view, key), "apply");
        } catch (Throwable t) {
            fail(event, step, t);
            slot.working = refold(slot, key);
            return Outcome.FAILED;
        }
        slot.applied.add(new FoldSlot.Folded(event.copy(), view));
        slot.changed = true;
        applied.inc();
        return Outcome.APPLIED;
    }

    /**
     * The encoded document of a changed slot, or null if it has none (no state yet, or not even the stored state can
     * be written). Events whose document cannot be built or encoded are dead-lettered and left out of the state.
     */
    public byte[] document(FoldSlot slot, String key, DocumentWriter writer) {
        Object state = slot.current();
        if (state == null) {
            return null;
        }
        try {
            return writer.write(key, fold.toDocument(key, state), slot);
        } catch (Throwable t) {
            ExceptionUtils.rethrowIfFatalErrorOrOOM(t);
            if (slot.applied.isEmpty()) {
                return unwritable(key, t);
            }
        }
        // one of the batch's events makes the document unwritable: fold them again, one at a time
        Object good = slot.base;
        List<FoldSlot.Folded> kept = new ArrayList<>();
        for (FoldSlot.Folded folded : slot.applied) {
            String step = "initialState";
            try {
                Object from = good != null ? serializer.copy(good) : requireState(fold.initialState(key), step);
                step = "apply";
                Object next = requireState(fold.apply(from, folded.view(), key), step);
                step = "toDocument";
                writer.write(key, fold.toDocument(key, next), slot);
                good = next;
                kept.add(folded);
            } catch (Throwable t) {
                applied.dec();
                fail(folded.event(), step, t);
            }
        }
        slot.applied = kept;
        slot.working = kept.isEmpty() ? null : good;
        Object current = slot.current();
        if (current == null) {
            return null;
        }
        try {
            return writer.write(key, fold.toDocument(key, current), slot);
        } catch (Throwable t) {
            ExceptionUtils.rethrowIfFatalErrorOrOOM(t);
            return unwritable(key, t);
        }
    }

    /**
     * The working state computed again, from a copy of the base, with the events folded in so far; null if none
     * remain. Each step folds into a copy, so a failure cannot leave a partly changed state behind.
     */
    private Object refold(FoldSlot slot, String key) {
        Object good = slot.base;
        List<FoldSlot.Folded> kept = new ArrayList<>();
        for (FoldSlot.Folded folded : slot.applied) {
            try {
                Object from = good != null ? serializer.copy(good) : requireState(fold.initialState(key), "initialState");
                good = requireState(fold.apply(from, folded.view(), key), "apply");
                kept.add(folded);
            } catch (Throwable t) {
                // the same event succeeded before: the projection is not deterministic
                applied.dec();
                fail(folded.event(), "apply (folded again after a later event failed; is the projection "
                    + "deterministic?)", t);
            }
        }
        slot.applied = kept;
        return kept.isEmpty() ? null : good;
    }

    private byte[] unwritable(String key, Throwable cause) {
        failed.inc();
        log.error("projection {}: the document {} cannot be written even without this batch's events: {}",
            fold.name(), key, cause.toString());
        return null;
    }

    private void fail(EventEnvelope event, String step, Throwable cause) {
        ExceptionUtils.rethrowIfFatalErrorOrOOM(cause);
        failed.inc();
        if (cause instanceof UnknownSchemaVersionException) {
            unknownVersions.inc();
        }
        failures.failed(event, step, cause);
    }

    private static Object requireState(Object state, String step) {
        if (state == null) {
            throw new IllegalStateException(step + " returned null instead of a state");
        }
        return state;
    }
}
