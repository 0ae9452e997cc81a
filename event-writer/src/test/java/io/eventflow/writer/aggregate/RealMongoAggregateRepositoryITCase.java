package io.eventflow.writer.aggregate;

import io.eventflow.devstack.testing.MongoTarget;
import io.eventflow.devstack.testing.RealMongoReplicaSet;

/** The aggregate repository's contract against a real MongoDB replica set; skipped, with the reason printed, where none is available. */
class RealMongoAggregateRepositoryITCase extends AggregateRepositoryContract {

    @Override
    protected MongoTarget target() {
        return RealMongoReplicaSet.startOrSkip();
    }
}
