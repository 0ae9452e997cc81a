package io.eventflow.devstack.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.devstack.testing.MongoTarget;

/**
 * MongoDB's own specification tests (the unified test format files of the {@code mongodb/specifications}
 * repository) for change streams, transactions, retryable writes and CRUD, as JUnit dynamic tests: one container per
 * spec and file, one test per test of the file.
 *
 * <p>The files are public test data and not part of this repository: {@code -Dmongo.spec.dir=DIR} names a copy laid
 * out as in that repository ({@code DIR/source/<spec>/tests/unified/*.json}). Without it the suite is skipped and says
 * so. {@code -Dmongo.spec.only=<text>} runs only the tests whose id contains the text.
 *
 * <p>A test whose {@code runOnRequirements} a 6.0 single-node replica set does not meet is skipped as not
 * applicable. A failing test fails the build unless it is on the target's expected-failure list; a listed test that
 * passes fails it too, so that the list shrinks as the emulator improves. The counts per spec are printed and
 * written to {@code target/spec-summary.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UnifiedSpecSuite {

    static final List<String> SPECS = List.of("change-streams", "transactions", "retryable-writes", "crud");
    private static final Logger LOG = LoggerFactory.getLogger(UnifiedSpecSuite.class);
    /** Tests no replica set passes with the runner's Java driver 4.11 (standalone-only, newer drivers' behaviour). */
    static final String DRIVER_EXPECTED_FAILURES = "/spec/driver-expected-failures.txt";
    private static final long TEST_TIMEOUT_SECONDS = 60;

    private final SpecSummary summary = new SpecSummary(targetName());
    private MongoClient internalClient;
    private ExecutorService executor;

    /** The server under test; may skip the suite (by an assumption) when it is not available. */
    protected abstract MongoTarget target();

    /** {@code emulator} or {@code real}: names the summary. */
    protected abstract String targetName();

    protected abstract ExpectedFailures expectedFailures();

    @TestFactory
    Stream<DynamicNode> specificationTests() {
        String directory = System.getProperty("mongo.spec.dir", "").trim();
        skipUnless(!directory.isEmpty(), "SKIPPED MongoDB's specification tests against the " + targetName()
            + ": -Dmongo.spec.dir is not set (a copy of the mongodb/specifications repository, or of its "
            + "source/<spec>/tests/unified directories)");
        Path root = Paths.get(directory);
        skipUnless(Files.isDirectory(root.resolve("source")), "SKIPPED MongoDB's specification tests against the "
            + targetName() + ": -Dmongo.spec.dir=" + directory + " has no source/ directory");
        MongoTarget target = target();
        internalClient = MongoClients.create(target.connectionString());
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "spec-test");
            thread.setDaemon(true);
            return thread;
        });
        ServerInfo server = ServerInfo.of(internalClient);
        UnifiedTestRunner runner = new UnifiedTestRunner(target.connectionString(), internalClient);
        String only = System.getProperty("mongo.spec.only", "");
        List<DynamicNode> specs = new ArrayList<>();
        for (String spec : SPECS) {
            Path tests = root.resolve("source").resolve(spec).resolve("tests").resolve("unified");
            List<DynamicNode> files = new ArrayList<>();
            for (Path file : jsonFiles(tests)) {
                String fileName = file.getFileName().toString().replaceFirst("\\.json$", "");
                BsonDocument document = parse(file);
                List<DynamicNode> testNodes = new ArrayList<>();
                for (BsonValue test : document.getArray("tests")) {
                    String description = test.asDocument().getString("description").getValue();
                    String id = spec + "/" + fileName + "/" + description;
                    if (!id.contains(only)) {
                        continue;
                    }
                    testNodes.add(DynamicTest.dynamicTest(description,
                        () -> runOne(spec, id, document, test.asDocument(), server, runner)));
                }
                if (!testNodes.isEmpty()) {
                    files.add(DynamicContainer.dynamicContainer(fileName, testNodes));
                }
            }
            if (!files.isEmpty()) {
                specs.add(DynamicContainer.dynamicContainer(spec, files));
            }
        }
        return specs.stream();
    }

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) {
            LOG.warn(reason);
            Assumptions.abort(reason);
        }
    }

    private void runOne(String spec, String id, BsonDocument file, BsonDocument test, ServerInfo server,
                        UnifiedTestRunner runner) throws Throwable {
        Optional<String> notApplicable = notApplicable(file, test, server);
        if (notApplicable.isPresent()) {
            summary.record(spec, id, SpecSummary.Outcome.NOT_APPLICABLE, notApplicable.get());
            throw new TestAbortedException("not applicable to a " + server.versionText() + " replica set: " + notApplicable.get());
        }
        Optional<String> missingDriverFeature = DriverFeatures.missingFor(test.getArray("operations"));
        if (missingDriverFeature.isPresent()) {
            summary.record(spec, id, SpecSummary.Outcome.DRIVER_LACKS_FEATURE, missingDriverFeature.get());
            throw new TestAbortedException("not run: " + missingDriverFeature.get());
        }
        Throwable problem = runWithTimeout(() -> runner.run(file, test));
        SpecSummary.Outcome outcome = problem == null ? SpecSummary.Outcome.PASS
            : problem instanceof AssertionError ? SpecSummary.Outcome.FAIL : SpecSummary.Outcome.ERROR;
        Optional<String> expected = expectedFailures().reason(id);
        summary.record(spec, id, outcome, problem == null ? null : problem.getMessage(), expected.orElse(null));
        if (expected.isPresent()) {
            if (problem == null) {
                throw new AssertionError(id + " now passes: remove it from the expected-failure list (it was listed "
                    + "because: " + expected.get() + ")");
            }
            return;
        }
        if (problem != null) {
            throw problem;
        }
    }

    private Throwable runWithTimeout(Runnable test) {
        Future<?> future = executor.submit(test);
        try {
            future.get(TEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            return new IllegalStateException("the test did not finish within " + TEST_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private static Optional<String> notApplicable(BsonDocument file, BsonDocument test, ServerInfo server) {
        String schemaVersion = file.getString("schemaVersion").getValue();
        if (!schemaVersion.startsWith("1.")) {
            return Optional.of("schema version " + schemaVersion + " is not 1.x");
        }
        if (test.containsKey("skipReason")) {
            return Optional.of("the file skips it: " + test.getString("skipReason").getValue());
        }
        Optional<String> fileLevel = RunOnRequirements.unmetBy(file.getArray("runOnRequirements", null), server);
        if (fileLevel.isPresent()) {
            return fileLevel;
        }
        return RunOnRequirements.unmetBy(test.getArray("runOnRequirements", null), server);
    }

    private static List<Path> jsonFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    private static BsonDocument parse(Path file) {
        try {
            return BsonDocument.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @AfterAll
    void writeSummary() {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (internalClient != null) {
            internalClient.close();
        }
        if (summary.isEmpty()) {
            return;
        }
        Path written = summary.write(Paths.get("target"));
        System.out.println("MongoDB specification tests against the " + targetName() + " (" + written + "):\n"
            + summary.table());
    }
}
