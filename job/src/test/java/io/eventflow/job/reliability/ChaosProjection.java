package io.eventflow.job.reliability;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.Document;

import io.eventflow.job.projection.ProjectedEvent;
import io.eventflow.job.projection.Projection;

/**
 * A projection that behaves exactly like the one it wraps, except that once armed, its next read-model write fails:
 * an exception that is not about one event, so it fails the task and the job restarts from its last checkpoint, as
 * a bug or a lost node would make it. The test arms it at moments of its choosing.
 */
final class ChaosProjection<S> implements Projection<S> {

    private static final long serialVersionUID = 1L;

    /** Shared with the MiniCluster, which runs in the test's JVM. */
    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicInteger INJECTED = new AtomicInteger();

    private final Projection<S> delegate;

    ChaosProjection(Projection<S> delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String collection() {
        return delegate.collection();
    }

    @Override
    public Class<S> stateType() {
        return delegate.stateType();
    }

    @Override
    public S initialState(String aggregateId) {
        return delegate.initialState(aggregateId);
    }

    @Override
    public boolean handles(String eventType) {
        return delegate.handles(eventType);
    }

    @Override
    public S apply(S state, ProjectedEvent event) {
        return delegate.apply(state, event);
    }

    @Override
    public Document toDocument(S state) {
        if (ARMED.compareAndSet(true, false)) {
            throw new IllegalStateException("injected fault #" + INJECTED.incrementAndGet() + " at a read-model write");
        }
        return delegate.toDocument(state);
    }
}
