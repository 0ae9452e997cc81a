package io.eventflow.projection.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * Runs a per-aggregate {@link Projection} the way the job does, without Flink, for your unit tests: events are folded
 * per aggregate in the order given, and whatever the projection throws dead-letters that event and leaves the state as
 * it was (the tester folds the aggregate's good events again from its initial state).
 *
 * <pre>{@code
 * ProjectionTester<OrderState> orders = ProjectionTester.of(new OrderProjection())
 *     .given(created, confirmed, shipped);
 * assertThat(orders.document("order-1")).containsEntry("status", "SHIPPED");
 * assertThat(orders.deadLetters()).isEmpty();
 * }</pre>
 *
 * @param <S> the projection's state
 */
public final class ProjectionTester<S> {

    private final Projection<S> projection;
    private final Consumer<Map<String, ?>> documentCheck;
    private final Map<String, List<ProjectedEvent>> applied = new LinkedHashMap<>();
    private final Map<String, S> states = new LinkedHashMap<>();
    private final Map<String, ProjectedEvent> last = new LinkedHashMap<>();
    private final List<String> deadLetters = new ArrayList<>();

    private ProjectionTester(Projection<S> projection, Consumer<Map<String, ?>> documentCheck) {
        this.projection = Objects.requireNonNull(projection, "projection");
        this.documentCheck = Objects.requireNonNull(documentCheck, "documentCheck");
    }

    public static <S> ProjectionTester<S> of(Projection<S> projection) {
        return new ProjectionTester<>(projection, document -> {
        });
    }

    /**
     * A tester that also checks each document, for example that it can be stored: a document the check refuses
     * dead-letters the event that produced it, as the job does when a document cannot be encoded.
     */
    public static <S> ProjectionTester<S> of(Projection<S> projection, Consumer<Map<String, ?>> documentCheck) {
        return new ProjectionTester<>(projection, documentCheck);
    }

    /** Folds events, each into its aggregate's state; an aggregate's events must come in sequenceNo order. */
    public ProjectionTester<S> given(ProjectedEvent... events) {
        for (ProjectedEvent event : events) {
            given(event);
        }
        return this;
    }

    /** Folds one event. */
    public ProjectionTester<S> given(ProjectedEvent event) {
        String aggregateId = event.aggregateId();
        try {
            if (!projection.handles(event.eventType())) {
                if (states.containsKey(aggregateId)) {
                    last.put(aggregateId, event);
                }
                return this;
            }
        } catch (RuntimeException e) {
            deadLetter(event, "handles", e);
            if (states.containsKey(aggregateId)) {
                last.put(aggregateId, event); // processed, though not applied: the read model moves past it
            }
            return this;
        }
        List<ProjectedEvent> good = applied.computeIfAbsent(aggregateId, id -> new ArrayList<>());
        good.add(event);
        try {
            states.put(aggregateId, fold(aggregateId, good));
        } catch (Failure failure) {
            good.remove(good.size() - 1);
            deadLetter(event, failure.step, failure.cause);
            if (good.isEmpty()) {
                states.remove(aggregateId);
            } else {
                states.put(aggregateId, fold(aggregateId, good));
            }
        }
        if (states.containsKey(aggregateId)) {
            last.put(aggregateId, event);
        }
        return this;
    }

    private S fold(String aggregateId, List<ProjectedEvent> events) {
        String step = "initialState";
        try {
            S state = requireState(projection.initialState(aggregateId), step);
            step = "apply";
            for (ProjectedEvent event : events) {
                state = requireState(projection.apply(state, event), step);
            }
            step = "toDocument";
            documentCheck.accept(Objects.requireNonNull(projection.toDocument(state), "toDocument returned null"));
            return state;
        } catch (RuntimeException e) {
            throw new Failure(step, e);
        }
    }

    private static <T> T requireState(T state, String step) {
        if (state == null) {
            throw new IllegalStateException(step + " returned null instead of a state");
        }
        return state;
    }

    private void deadLetter(ProjectedEvent event, String step, RuntimeException cause) {
        deadLetters.add(event.aggregateId() + "#" + event.sequenceNo() + ": " + step + " failed: " + cause);
    }

    /** The aggregate's read-model fields, as the projection builds them; null if it has none. */
    public Map<String, Object> document(String aggregateId) {
        S state = states.get(aggregateId);
        return state == null ? null : new LinkedHashMap<>(projection.toDocument(state));
    }

    /** The aggregate's state; null if it has none. */
    public S state(String aggregateId) {
        return states.get(aggregateId);
    }

    /**
     * The last event the aggregate's read model has processed (applied, skipped as not handled, or dead-lettered):
     * its {@code lastSequenceNo}; null if the aggregate has no read model.
     */
    public ProjectedEvent lastEvent(String aggregateId) {
        return last.get(aggregateId);
    }

    /** The aggregates that have a read model. */
    public List<String> aggregateIds() {
        return List.copyOf(states.keySet());
    }

    /** The events dead-lettered, as {@code aggregateId#sequenceNo: step failed: exception}. */
    public List<String> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String step;
        final RuntimeException cause;

        Failure(String step, RuntimeException cause) {
            super(cause);
            this.step = step;
            this.cause = cause;
        }
    }
}
