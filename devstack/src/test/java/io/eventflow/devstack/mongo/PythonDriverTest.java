package io.eventflow.devstack.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.junit.EmbeddedMongoExtension;

/**
 * The official Python driver works against the emulator unchanged: handshake, CRUD, change streams with resume and
 * transactions. Needs pymongo (Debian: python3-pymongo); skipped with a message where it is not installed.
 */
class PythonDriverTest {

    private static final Logger log = LoggerFactory.getLogger("io.eventflow.devstack.testing.PythonDriver");

    @RegisterExtension
    static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();

    @Test
    void pymongoWorksUnchanged() throws Exception {
        Optional<String> python = pythonWithPymongo();
        if (python.isEmpty()) {
            log.warn("SKIPPED the Python driver check: no python3 with pymongo here (apt-get install python3-pymongo)");
        }
        Assumptions.assumeTrue(python.isPresent(), "no python3 with pymongo (apt-get install python3-pymongo)");
        Path script = Files.createTempFile("driver_check", ".py");
        try (var resource = getClass().getResourceAsStream("/python/driver_check.py")) {
            Files.write(script, resource.readAllBytes());
        }

        Process process = new ProcessBuilder(python.get(), script.toString(), MONGO.connectionString())
            .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).as("python output").contains("OK");
        assertThat(process.exitValue()).isZero();
    }

    private static Optional<String> pythonWithPymongo() {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process check = new ProcessBuilder(candidate, "-c", "import pymongo").start();
                if (check.waitFor(20, TimeUnit.SECONDS) && check.exitValue() == 0) {
                    return Optional.of(candidate);
                }
            } catch (IOException e) {
                // not installed under this name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
