package io.eventflow.devstack.spec;

import io.eventflow.devstack.testing.MongoTarget;
import io.eventflow.devstack.testing.RealMongoReplicaSet;

/**
 * MongoDB's specification tests against a real replica set (Testcontainers or {@code -Dmongo.uri}, with fail points
 * enabled), which checks the runner itself: every applicable test must pass there except those no replica set passes
 * with the runner's driver ({@code spec/driver-expected-failures.txt}). Skipped, with the reason, where there is no
 * real server or no {@code -Dmongo.spec.dir}.
 */
class RealMongoSpecITCase extends UnifiedSpecSuite {

    @Override
    protected MongoTarget target() {
        return RealMongoReplicaSet.startOrSkip();
    }

    @Override
    protected String targetName() {
        return "real";
    }

    @Override
    protected ExpectedFailures expectedFailures() {
        return ExpectedFailures.fromResource(DRIVER_EXPECTED_FAILURES);
    }
}
