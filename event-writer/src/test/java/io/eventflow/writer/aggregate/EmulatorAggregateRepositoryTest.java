package io.eventflow.writer.aggregate;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.EmulatorTarget;
import io.eventflow.devstack.testing.MongoTarget;

/** The aggregate repository's contract against the eventflow MongoDB emulator. */
class EmulatorAggregateRepositoryTest extends AggregateRepositoryContract {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @Override
    protected MongoTarget target() {
        return new EmulatorTarget(MONGO);
    }
}
