package io.eventflow.devstack.testing;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/** The eventflow MongoDB emulator as a contract-suite target. */
public final class EmulatorTarget implements MongoTarget {

    private final EmbeddedMongoExtension extension;

    public EmulatorTarget(EmbeddedMongoExtension extension) {
        this.extension = extension;
    }

    @Override
    public String connectionString() {
        return extension.connectionString();
    }

    @Override
    public String hosts() {
        return extension.server().hosts();
    }

    @Override
    public String description() {
        return "eventflow emulator";
    }

    @Override
    public boolean supportsFailPoints() {
        return true;
    }
}
