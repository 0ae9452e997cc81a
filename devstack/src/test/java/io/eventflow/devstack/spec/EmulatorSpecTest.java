package io.eventflow.devstack.spec;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;
import io.eventflow.devstack.testing.EmulatorTarget;
import io.eventflow.devstack.testing.MongoTarget;

/**
 * MongoDB's specification tests against the eventflow emulator, with its expected-failure lists (the tests no
 * replica set passes with the runner's driver, and {@code spec/emulator-expected-failures.txt}). Skipped unless
 * {@code -Dmongo.spec.dir} is set.
 */
class EmulatorSpecTest extends UnifiedSpecSuite {

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @Override
    protected MongoTarget target() {
        return new EmulatorTarget(MONGO);
    }

    @Override
    protected String targetName() {
        return "emulator";
    }

    @Override
    protected ExpectedFailures expectedFailures() {
        return ExpectedFailures.fromResources(DRIVER_EXPECTED_FAILURES, "/spec/emulator-expected-failures.txt");
    }
}
