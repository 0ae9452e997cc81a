package io.eventflow.projection.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;

/**
 * Runs a {@link CrossAggregateProjection} the way the job does, without Flink, for your unit tests: each event goes to
 * the documents {@code documentKeys} names (with the same memory of each aggregate's keys), and is folded into each;
 * whatever the projection throws dead-letters the event for the projection and leaves every document as it was.
 *
 * <pre>{@code
 * CrossAggregateTester<UnitsSoldPerSku.State> skus = CrossAggregateTester.of(new UnitsSoldPerSku())
 *     .given(order1Created, order2Created, order1Shipped);
 * assertThat(skus.document("book-1")).containsEntry("unitsSold", 2L);
 * }</pre>
 *
 * Feed the events of different aggregates in any interleaving that keeps each aggregate's order: a projection whose
 * result depends on that interleaving will show it (the job does not guarantee one).
 *
 * @param <S> the state of one document
 */
public final class CrossAggregateTester<S> {

    private final CrossAggregateProjection<S> projection;
    private final Consumer<Map<String, ?>> documentCheck;
    private final Map<String, Set<String>> keysOfAggregate = new LinkedHashMap<>();
    private final Map<String, List<ProjectedEvent>> applied = new LinkedHashMap<>();
    private final Map<String, S> states = new LinkedHashMap<>();
    private final Map<String, Long> latest = new LinkedHashMap<>();
    private final List<String> deadLetters = new ArrayList<>();

    private CrossAggregateTester(CrossAggregateProjection<S> projection, Consumer<Map<String, ?>> documentCheck) {
        this.projection = Objects.requireNonNull(projection, "projection");
        this.documentCheck = Objects.requireNonNull(documentCheck, "documentCheck");
    }

    public static <S> CrossAggregateTester<S> of(CrossAggregateProjection<S> projection) {
        return new CrossAggregateTester<>(projection, document -> {
        });
    }

    /** With a check of each document, as {@link ProjectionTester#of(io.eventflow.projection.Projection, Consumer)}. */
    public static <S> CrossAggregateTester<S> of(CrossAggregateProjection<S> projection,
                                                 Consumer<Map<String, ?>> documentCheck) {
        return new CrossAggregateTester<>(projection, documentCheck);
    }

    public CrossAggregateTester<S> given(ProjectedEvent... events) {
        for (ProjectedEvent event : events) {
            given(event);
        }
        return this;
    }

    /** Routes and folds one event. */
    public CrossAggregateTester<S> given(ProjectedEvent event) {
        Set<String> keys = new LinkedHashSet<>();
        try {
            if (!projection.handles(event.eventType())) {
                return this;
            }
            Set<String> remembered = keysOfAggregate.getOrDefault(event.aggregateId(), Set.of());
            Collection<String> routed = projection.documentKeys(event, Collections.unmodifiableSet(remembered));
            for (String key : Objects.requireNonNull(routed, "documentKeys returned null instead of a collection")) {
                if (key == null || key.isEmpty()) {
                    throw new IllegalArgumentException("documentKeys returned " + (key == null ? "a null" : "an empty")
                        + " key; a document key must be a non-empty string");
                }
                keys.add(key);
            }
        } catch (RuntimeException e) {
            deadLetters.add(event.aggregateId() + "#" + event.sequenceNo() + ": documentKeys failed: " + e);
            return this;
        }
        if (keys.isEmpty()) {
            return this;
        }
        keysOfAggregate.put(event.aggregateId(), keys);
        for (String key : keys) {
            List<ProjectedEvent> good = applied.computeIfAbsent(key, k -> new ArrayList<>());
            good.add(event);
            try {
                states.put(key, fold(key, good));
            } catch (RuntimeException e) {
                good.remove(good.size() - 1);
                deadLetters.add(event.aggregateId() + "#" + event.sequenceNo() + " -> " + key + ": " + e.getMessage());
                if (good.isEmpty()) {
                    states.remove(key);
                } else {
                    states.put(key, fold(key, good));
                }
            }
            if (states.containsKey(key)) {
                latest.merge(key, event.occurredAtMillis(), Math::max);
            }
        }
        return this;
    }

    private S fold(String key, List<ProjectedEvent> events) {
        String step = "initialState";
        try {
            S state = projection.initialState(key);
            step = "apply";
            for (ProjectedEvent event : events) {
                state = Objects.requireNonNull(state, "the state is null");
                state = projection.apply(state, event, key);
            }
            if (state == null) {
                throw new IllegalStateException("apply returned null instead of a state");
            }
            step = "toDocument";
            documentCheck.accept(Objects.requireNonNull(projection.toDocument(key, state), "toDocument returned null"));
            return state;
        } catch (RuntimeException e) {
            throw new IllegalStateException(step + " failed: " + e, e);
        }
    }

    /** The document's fields; null if it has none. */
    public Map<String, Object> document(String key) {
        S state = states.get(key);
        return state == null ? null : new LinkedHashMap<>(projection.toDocument(key, state));
    }

    public S state(String key) {
        return states.get(key);
    }

    /** The number of events folded into the document (its {@code eventCount}). */
    public long eventCount(String key) {
        List<ProjectedEvent> events = applied.get(key);
        return events == null ? 0 : events.size();
    }

    /** The latest occurrence among the document's events (its {@code updatedAt}), epoch milliseconds. */
    public long updatedAt(String key) {
        return latest.getOrDefault(key, 0L);
    }

    /** The keys of the documents that exist. */
    public List<String> keys() {
        return List.copyOf(states.keySet());
    }

    /** The events dead-lettered, as {@code aggregateId#sequenceNo[ -> key]: reason}. */
    public List<String> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }
}
