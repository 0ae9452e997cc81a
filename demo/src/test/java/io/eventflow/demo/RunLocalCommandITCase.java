package io.eventflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.eventflow.demo.userjar.TicketCount;
import io.eventflow.demo.userjar.TicketCountProjection;
import io.eventflow.demo.userjar.TicketProjections;
import io.eventflow.devstack.testing.Await;
import io.eventflow.projection.ProjectionProvider;
import io.eventflow.writer.EventStore;
import io.eventflow.writer.ExpectedVersion;
import io.eventflow.writer.NewEvent;

/**
 * {@code bin/run-local --projections-jar}, as README's "Write your own projection" runs it: a jar holding nothing but a
 * user's projections, which neither the job nor this JVM's class path has seen, runs beside the stock job jar. The
 * run-local JVM's own class path carries the Order example (for its demo load), service file included; the job must
 * not trip over it.
 */
class RunLocalCommandITCase {

    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

    @TempDir
    Path work;

    @Test
    void aJarOfProjectionsOnlyRunsBesideTheStockJobAndFillsItsReadModel() throws Exception {
        Path jar = userJar(TicketProjections.class);
        RunLocal run = RunLocal.start(work, "--projections-jar", jar.toString());
        try {
            String running = run.awaitLine("job ", " is running", Duration.ofMinutes(4));
            assertThat(running).contains("readmodels.ticket_counts");
            String mongo = run.value("mongodb=");
            try (MongoClient client = MongoClients.create(mongo)) {
                EventStore store = EventStore.builder().mongoClient(client).build();
                store.append("Ticket", "ticket-1", ExpectedVersion.noStream(), NewEvent.of("TicketOpened", Map.of()),
                    NewEvent.of("TicketAnswered", Map.of("by", "ada")));
                var counts = client.getDatabase("readmodels").getCollection("ticket_counts");
                Await.until("the user's read model", Duration.ofMinutes(1),
                    () -> counts.countDocuments(new Document("_id", "ticket-1").append("lastSequenceNo", 2L)) == 1,
                    () -> counts.find().first() + "; output of run-local:\n" + String.join("\n", run.output()));
                assertThat(counts.find().first()).containsEntry("events", 2L);
            }
        } finally {
            run.stop();
        }
        assertThat(run.exitCode()).as("exit code after SIGTERM").isIn(0, 143);
    }

    @Test
    void aJobThatCannotStartEndsRunLocalWithItsReasonInsteadOfLeavingTheStackUp() throws Exception {
        Path jar = userJar(TicketProjections.Broken.class);
        RunLocal run = RunLocal.start(work, "--projections-jar", jar.toString());
        try {
            assertThat(run.process.waitFor(4, TimeUnit.MINUTES)).as("run-local ended by itself").isTrue();
        } finally {
            run.stop();
        }
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).anySatisfy(line -> assertThat(line).startsWith("run-local: ")
            .contains("projection provider " + TicketProjections.Broken.class.getName())
            .contains("the ticket projections need a licence key"));
    }

    /** A jar of projections only: the provider (listed in its service file) and the projection's classes. */
    private Path userJar(Class<? extends ProjectionProvider> provider) throws IOException {
        Path jar = work.resolve("user-projections.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + ProjectionProvider.class.getName()));
            out.write((provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            for (Class<?> type : new java.util.LinkedHashSet<>(List.of(provider, TicketProjections.class,
                    TicketCountProjection.class, TicketCount.class))) {
                String entry = type.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (var bytes = type.getClassLoader().getResourceAsStream(entry)) {
                    bytes.transferTo(out);
                }
            }
        }
        return jar;
    }

    /** bin/run-local in its own process, its stdout and stderr collected line by line. */
    private static final class RunLocal {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        private RunLocal(Process process) {
            this.process = process;
            CompletableFuture.runAsync(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    reader.lines().forEach(lines::add);
                } catch (IOException e) {
                    lines.add("(reading failed: " + e + ")");
                }
            });
        }

        static RunLocal start(Path work, String... options) throws IOException {
            List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/run-local").toString(),
                "--mongodb-port", "0", "--kafka-port", "0", "--flink-port", "0", "--progress-seconds", "2"));
            command.addAll(List.of(options));
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
            builder.environment().put("EVENTFLOW_DATA_DIR", work.resolve("data").toString());
            builder.environment().put("EVENTFLOW_HEAP", "1500m");
            Process process = builder.start();
            OutputStream stdin = process.getOutputStream();
            stdin.close();
            return new RunLocal(process);
        }

        String awaitLine(String prefix, String contains, Duration timeout) {
            Await.until("a line '" + prefix + "... " + contains + "'", timeout, () -> find(prefix, contains) != null
                || !process.isAlive(), () -> String.join("\n", lines));
            String line = find(prefix, contains);
            assertThat(line).as("output of run-local:\n" + String.join("\n", lines)).isNotNull();
            return line;
        }

        String value(String prefix) {
            String line = find(prefix, "");
            assertThat(line).as(prefix + " in " + lines).isNotNull();
            return line.substring(prefix.length());
        }

        private String find(String prefix, String contains) {
            return lines.stream().filter(line -> line.startsWith(prefix) && line.contains(contains)).findFirst().orElse(null);
        }

        List<String> output() {
            return lines;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        int exitCode() {
            return process.exitValue();
        }
    }
}
