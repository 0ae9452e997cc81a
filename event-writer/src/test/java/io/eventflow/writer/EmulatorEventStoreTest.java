package io.eventflow.writer;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.EmulatorTarget;
import io.eventflow.devstack.testing.MongoTarget;

/** The writer's contract against the eventflow MongoDB emulator. */
class EmulatorEventStoreTest extends EventStoreContract {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @Override
    protected MongoTarget target() {
        return new EmulatorTarget(MONGO);
    }
}
