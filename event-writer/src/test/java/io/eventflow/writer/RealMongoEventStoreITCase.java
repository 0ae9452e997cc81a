package io.eventflow.writer;

import io.eventflow.devstack.testing.MongoTarget;
import io.eventflow.devstack.testing.RealMongoReplicaSet;

/** The writer's contract against a real MongoDB replica set; skipped, with the reason printed, where none is available. */
class RealMongoEventStoreITCase extends EventStoreContract {

    @Override
    protected MongoTarget target() {
        return RealMongoReplicaSet.startOrSkip();
    }
}
