package io.eventflow.projection.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/** The testers apply the job's rules: a failing event is left out, and the state is as if it never came. */
class TestersTest {

    /** Counts events; an event with {@code fail} in its payload throws after changing the state. */
    public static class Count {
        public long events;

        public Count() {
        }
    }

    static final class Counter implements Projection<Count> {
        public String name() {
            return "counter";
        }

        public String collection() {
            return "counters";
        }

        public Class<Count> stateType() {
            return Count.class;
        }

        public Count initialState(String aggregateId) {
            return new Count();
        }

        public boolean handles(String eventType) {
            return !eventType.equals("Ignored");
        }

        public Count apply(Count state, ProjectedEvent event) {
            state.events++;
            if (event.payload().has("fail")) {
                throw new IllegalStateException("failed after counting " + event.eventId());
            }
            return state;
        }

        public Map<String, ?> toDocument(Count state) {
            return Map.of("events", state.events);
        }
    }

    static final class PerGroup implements CrossAggregateProjection<Count> {
        public String name() {
            return "per-group";
        }

        public String collection() {
            return "per_group";
        }

        public Class<Count> stateType() {
            return Count.class;
        }

        public Collection<String> documentKeys(ProjectedEvent event, Set<String> keysOfAggregate) {
            return event.payload().has("group") ? List.of(event.payload().get("group").asText()) : keysOfAggregate;
        }

        public Count initialState(String key) {
            return new Count();
        }

        public Count apply(Count state, ProjectedEvent event, String key) {
            state.events++;
            if (event.payload().has("fail")) {
                throw new IllegalStateException("failed for " + key);
            }
            return state;
        }

        public Map<String, ?> toDocument(String key, Count state) {
            return Map.of("events", state.events);
        }
    }

    private static ProjectedEvent event(String aggregateId, long sequenceNo, String type, String payload) {
        return ProjectedEvent.builder(type).aggregate("Thing", aggregateId).sequenceNo(sequenceNo).payload(payload).build();
    }

    @Test
    void aFailingEventIsDeadLetteredAndTheStateIsAsIfItNeverCame() {
        ProjectionTester<Count> tester = ProjectionTester.of(new Counter()).given(event("a", 1, "Did", "{}"),
            event("a", 2, "Did", "{\"fail\": true}"), event("a", 3, "Ignored", "{}"), event("a", 4, "Did", "{}"));

        assertThat(tester.document("a")).containsEntry("events", 2L);
        assertThat(tester.lastEvent("a").sequenceNo()).as("skipped events move the read model").isEqualTo(4);
        assertThat(tester.deadLetters()).containsExactly("a#2: apply failed: java.lang.IllegalStateException: failed "
            + "after counting a-2");
    }

    @Test
    void aDocumentCheckRefusingADocumentDeadLettersTheEventThatMadeIt() {
        ProjectionTester<Count> tester = ProjectionTester.of(new Counter(), document -> {
            if ((Long) document.get("events") > 1) {
                throw new IllegalArgumentException("too many");
            }
        }).given(event("a", 1, "Did", "{}"), event("a", 2, "Did", "{}"));

        assertThat(tester.document("a")).containsEntry("events", 1L);
        assertThat(tester.deadLetters()).singleElement().asString().contains("toDocument failed");
    }

    @Test
    void eventsWithoutKeysFollowTheirAggregateAndFailuresLeaveTheDocumentAsItWas() {
        CrossAggregateTester<Count> tester = CrossAggregateTester.of(new PerGroup()).given(
            event("a", 1, "Did", "{\"group\": \"g1\"}"), event("b", 1, "Did", "{\"group\": \"g1\"}"),
            event("a", 2, "Did", "{}"), event("b", 2, "Did", "{\"fail\": true}"));

        assertThat(tester.document("g1")).containsEntry("events", 3L);
        assertThat(tester.eventCount("g1")).isEqualTo(3);
        assertThat(tester.deadLetters()).singleElement().asString().startsWith("b#2 -> g1:");
    }
}
