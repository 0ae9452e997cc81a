package io.eventflow.job.projection.fold;

import java.io.Serializable;
import java.util.Map;

import io.eventflow.projection.CrossAggregateProjection;
import io.eventflow.projection.ProjectedEvent;
import io.eventflow.projection.Projection;

/**
 * A user's projection as the job's operators run it: a fold of events into one state per document key (the
 * aggregateId for a per-aggregate projection). Every method here is user code: {@link GuardedFold} calls it.
 */
public interface KeyedFold extends Serializable {

    String name();

    String collection();

    Class<?> stateType();

    boolean handles(String eventType);

    Object initialState(String key);

    Object apply(Object state, ProjectedEvent event, String key);

    Map<String, ?> toDocument(String key, Object state);

    @SuppressWarnings({"unchecked", "rawtypes"})
    static KeyedFold of(Projection<?> projection) {
        Projection raw = projection;
        return new KeyedFold() {
            private static final long serialVersionUID = 1L;

            public String name() {
                return raw.name();
            }

            public String collection() {
                return raw.collection();
            }

            public Class<?> stateType() {
                return raw.stateType();
            }

            public boolean handles(String eventType) {
                return raw.handles(eventType);
            }

            public Object initialState(String key) {
                return raw.initialState(key);
            }

            public Object apply(Object state, ProjectedEvent event, String key) {
                return raw.apply(state, event);
            }

            public Map<String, ?> toDocument(String key, Object state) {
                return raw.toDocument(state);
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static KeyedFold of(CrossAggregateProjection<?> projection) {
        CrossAggregateProjection raw = projection;
        return new KeyedFold() {
            private static final long serialVersionUID = 1L;

            public String name() {
                return raw.name();
            }

            public String collection() {
                return raw.collection();
            }

            public Class<?> stateType() {
                return raw.stateType();
            }

            public boolean handles(String eventType) {
                return raw.handles(eventType);
            }

            public Object initialState(String key) {
                return raw.initialState(key);
            }

            public Object apply(Object state, ProjectedEvent event, String key) {
                return raw.apply(state, event, key);
            }

            public Map<String, ?> toDocument(String key, Object state) {
                return raw.toDocument(key, state);
            }
        };
    }
}
