package io.eventflow.job.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.ProjectionProvider;

/**
 * The job tests' cross-aggregate projection: totals per category. A {@code Tallied} event names its categories in
 * {@code categories} (an array); without it, it goes to the categories its aggregate's previous event went to. The
 * same {@code fail} switch as {@link Tally}, plus {@code "keys"}: {@code documentKeys} throws.
 */
public final class PerCategory implements CrossAggregateProjection<PerCategory.State> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "per-category";
    public static final String COLLECTION = "per_category";

    /** One category's state. */
    public static class State {
        public long count;
        public BigDecimal total = BigDecimal.ZERO;
        public boolean poisoned;

        public State() {
        }
    }

    /** The provider a job finds both test projections through. */
    public static final class Provider implements ProjectionProvider {
        @Override
        public List<io.eventflow.projection.Projection<?>> projections() {
            return List.of(new Tally());
        }

        @Override
        public List<CrossAggregateProjection<?>> crossAggregateProjections() {
            return List.of(new PerCategory());
        }

        @Override
        public io.eventflow.core.upcast.Upcasters upcasters() {
            return Tally.UPCASTERS;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String collection() {
        return COLLECTION;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    @Override
    public boolean handles(String eventType) {
        return eventType.equals(Tally.TALLIED);
    }

    @Override
    public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
        JsonNode payload = event.payload();
        if (payload.path("fail").asText("").equals("keys")) {
            throw new IllegalArgumentException("no keys for " + event.eventId());
        }
        if (!payload.has("categories")) {
            return keysOfAggregate;
        }
        List<String> keys = new ArrayList<>();
        payload.get("categories").forEach(category -> keys.add(category.isNull() ? null : category.asText()));
        return keys;
    }

    @Override
    public State initialState(String category) {
        return new State();
    }

    @Override
    public State apply(State state, ProjectedEvent event, String category) {
        JsonNode payload = event.payload();
        String fail = payload.path("fail").asText("");
        if (fail.equals("apply")) {
            throw new IllegalArgumentException("refused " + event.eventId());
        }
        state.count++;
        state.total = state.total.add(payload.path("amount").decimalValue());
        switch (fail) {
            case "apply-after-change" -> throw new IllegalStateException("failed half-way through " + event.eventId());
            case "toDocument" -> state.poisoned = true;
            case "encode" -> state.total = new BigDecimal("1234567890123456789012345678901234567890");
            default -> {
            }
        }
        return state;
    }

    @Override
    public Map<String, ?> toDocument(String category, State state) {
        if (state.poisoned) {
            throw new IllegalStateException("a poisoned state has no document");
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("count", state.count);
        document.put("total", state.total);
        return document;
    }
}
