package io.eventflow.devstack.mongo;

import org.junit.jupiter.api.Nested;

import io.eventflow.devstack.testing.MongoTarget;
import io.eventflow.devstack.testing.RealMongoReplicaSet;

/**
 * The same contract suites against a real MongoDB replica set (Testcontainers {@code mongo:7.0} or
 * {@code -Dmongo.uri}); skipped, with the reason printed, where neither is available.
 */
class RealMongoContractITCase {

    @Nested
    class ChangeStreams extends ChangeStreamContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }

    @Nested
    class Transactions extends TransactionContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }

    @Nested
    class PipelineUpdates extends PipelineUpdateContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }

    @Nested
    class FaultInjection extends FaultInjectionContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }

    @Nested
    class Queries extends QueryContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }

    @Nested
    class Crud extends CrudContract {
        @Override
        protected MongoTarget target() {
            return RealMongoReplicaSet.startOrSkip();
        }
    }
}
