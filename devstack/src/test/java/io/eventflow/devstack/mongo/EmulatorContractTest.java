package io.eventflow.devstack.mongo;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.EmulatorTarget;
import io.eventflow.devstack.testing.MongoTarget;

/** The contract suites against the eventflow MongoDB emulator. */
class EmulatorContractTest {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    static final MongoTarget TARGET = new EmulatorTarget(MONGO);

    @Nested
    class ChangeStreams extends ChangeStreamContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }

    @Nested
    class Transactions extends TransactionContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }

    @Nested
    class PipelineUpdates extends PipelineUpdateContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }

    @Nested
    class FaultInjection extends FaultInjectionContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }

    @Nested
    class Queries extends QueryContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }

    @Nested
    class Crud extends CrudContract {
        @Override
        protected MongoTarget target() {
            return TARGET;
        }
    }
}
