package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JobManager or TaskManager process of a {@link FlinkStandaloneCluster}, and the faults it can be given: a kill
 * (SIGKILL: the process is gone at once, its connections close), a hang (SIGSTOP: it keeps its connections but
 * answers nothing, as in a long GC pause or a frozen VM, until {@link #resume()}) and a clean stop (SIGTERM).
 */
public final class FlinkProcess {

    private static final Logger log = LoggerFactory.getLogger(FlinkProcess.class);

    /** What the process runs. */
    public enum Role { JOB_MANAGER, TASK_MANAGER }

    private final Role role;
    private final String name;
    private final Process process;
    private final Path logFile;
    private final Path outFile;
    private final Instant started;
    private volatile boolean hung;

    FlinkProcess(Role role, String name, Process process, Path logFile, Path outFile) {
        this.role = role;
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.outFile = outFile;
        this.started = Instant.now();
    }

    public Role role() {
        return role;
    }

    /** {@code jobmanager}, {@code jobmanager-2} after a restart, {@code taskmanager-1}, ...; a TaskManager's resource id. */
    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The process's Flink log. */
    public Path logFile() {
        return logFile;
    }

    /** What the process wrote to standard output and error (JVM crashes, early startup errors). */
    public Path outFile() {
        return outFile;
    }

    public Instant started() {
        return started;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public boolean isHung() {
        return hung && process.isAlive();
    }

    /** SIGKILL, then waits until the process is gone. Returns the moment the signal was sent. */
    public Instant kill() {
        Instant at = Instant.now();
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
        hung = false;
        log.info("{} (pid {}) killed with SIGKILL", name, pid());
        return at;
    }

    /** SIGSTOP: the process stops running but keeps its sockets open. Returns the moment the signal was sent. */
    public Instant hang() {
        Instant at = signal("STOP");
        hung = true;
        log.info("{} (pid {}) stopped with SIGSTOP", name, pid());
        return at;
    }

    /** SIGCONT after {@link #hang()}. */
    public Instant resume() {
        Instant at = signal("CONT");
        hung = false;
        log.info("{} (pid {}) resumed with SIGCONT", name, pid());
        return at;
    }

    /**
     * SIGTERM (Flink shuts down cleanly: a TaskManager deregisters, a JobManager stops its jobs' components), then
     * SIGKILL if the process is still there after {@code grace}. A hung process is resumed first.
     */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        if (hung) {
            resume();
        }
        process.destroy();
        if (!awaitExit(grace)) {
            log.warn("{} (pid {}) did not stop within {} of SIGTERM; killing it", name, pid(), grace);
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(30));
        }
    }

    /** Whether the process ended within the timeout. */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code, or -1 while the process runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The last lines of the log and of the standard output, for error messages. */
    public String tail(int lines) {
        return "--- " + logFile.getFileName() + " ---\n" + tailOf(logFile, lines)
            + "\n--- " + outFile.getFileName() + " ---\n" + tailOf(outFile, lines);
    }

    private Instant signal(String signal) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " (pid " + pid() + ") is not running, it cannot get SIG" + signal);
        }
        Instant at = Instant.now();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " " + pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
        return at;
    }

    private static String tailOf(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no file)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + (isAlive() ? hung ? ", hung" : ", running" : ", exited " + exitCode()) + ")";
    }
}
