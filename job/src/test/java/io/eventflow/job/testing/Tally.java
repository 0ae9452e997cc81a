package io.eventflow.job.testing;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.eventflow.core.upcast.Upcasters;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;
import io.eventflow.projection.ProjectionProvider;

/**
 * The job tests' per-aggregate projection, with a switch for every kind of failure user code can have. It handles
 * {@code Tallied} ({@code {amount, note, fail}}; v1 had {@code amt}) and ignores other types, except
 * {@code TallyBroken}, on which {@code handles} itself throws.
 *
 * <p>{@code fail} in a payload: {@code "apply"} throws before touching the state, {@code "apply-after-change"} after
 * changing it, {@code "toDocument"} poisons the state so that its document cannot be built, {@code "encode"} puts an
 * amount with 40 digits in it (Decimal128 cannot hold it), {@code "null"} makes apply return null.
 */
public class Tally implements Projection<Tally.State> {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "tally";
    public static final String COLLECTION = "tallies";
    public static final String TALLIED = "Tallied";
    public static final String BROKEN = "TallyBroken";
    public static final Upcasters UPCASTERS = Upcasters.builder()
        .register(TALLIED, 1, payload -> {
            if (payload.has("amt")) {
                payload.set("amount", payload.remove("amt"));
            }
            return payload;
        })
        .build();

    /** The projection's state (a Flink POJO). */
    public static class State {
        public long count;
        public BigDecimal total = BigDecimal.ZERO;
        public String lastNote;
        public boolean poisoned;

        public State() {
        }
    }

    /** The provider a job finds this projection through. */
    public static final class Provider implements ProjectionProvider {
        @Override
        public java.util.List<Projection<?>> projections() {
            return java.util.List.of(new Tally());
        }

        @Override
        public Upcasters upcasters() {
            return UPCASTERS;
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
    public State initialState(String aggregateId) {
        if (aggregateId.startsWith("no-initial-state")) {
            throw new IllegalArgumentException("no initial state for " + aggregateId);
        }
        return new State();
    }

    @Override
    public boolean handles(String eventType) {
        if (eventType.equals(BROKEN)) {
            throw new IllegalStateException("handles cannot decide on " + eventType);
        }
        return eventType.equals(TALLIED);
    }

    @Override
    public State apply(State state, ProjectedEvent event) {
        JsonNode payload = event.payload();
        String fail = payload.path("fail").asText("");
        if (fail.equals("apply")) {
            throw new IllegalArgumentException("refused " + event.eventId());
        }
        if (fail.equals("null")) {
            return null;
        }
        state.count++;
        state.total = state.total.add(payload.path("amount").decimalValue());
        state.lastNote = payload.path("note").asText(null);
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
    public Map<String, ?> toDocument(State state) {
        if (state.poisoned) {
            throw new IllegalStateException("a poisoned state has no document");
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("count", state.count);
        document.put("total", state.total);
        document.put("lastNote", state.lastNote);
        return document;
    }

    /** A {@code Tallied} payload. */
    public static String payload(String amount, String note, String fail) {
        ObjectNode payload = io.eventflow.core.json.EventJson.mapper().createObjectNode();
        payload.put("amount", new BigDecimal(amount));
        if (note != null) {
            payload.put("note", note);
        }
        if (fail != null) {
            payload.put("fail", fail);
        }
        return payload.toString();
    }
}
