package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.eventflow.devstack.Ports;
import io.eventflow.devstack.cluster.ClusterRest.Overview;
import io.eventflow.devstack.cluster.ClusterRest.TaskManagerInfo;
import io.eventflow.devstack.cluster.FlinkProcess.Role;
import io.eventflow.devstack.cluster.ResourceParameters.Command;

/**
 * A Flink standalone session cluster of separate processes on this machine, as users run Flink: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), started from the
 * Maven artifacts of the devstack module (Flink and its own dependencies only, as the distribution's {@code lib/}),
 * configured by the deployment's {@code flink-conf/config.yaml} plus the local overlay {@code flink-conf/local.yaml},
 * with each process's memory computed by Flink's {@code BashJavaUtils} as {@code bin/taskmanager.sh} does, one log
 * per process, and checkpoints, savepoints and high-availability data in a directory all processes share. Jobs
 * are submitted through the REST API and run in Flink's user-code class loader.
 *
 * <pre>{@code
 * try (FlinkStandaloneCluster cluster = FlinkStandaloneCluster.builder()
 *         .taskManagers(2)
 *         .highAvailability()                 // ZooKeeper HA, with an in-process ZooKeeper server
 *         .build().start()) {
 *     String dashboard = cluster.restUrl();
 *     cluster.taskManagers().get(0).kill();   // SIGKILL
 *     cluster.addTaskManager();
 *     cluster.restartJobManager();            // with HA, jobs resume from their latest checkpoint
 * }
 * }</pre>
 *
 * Every process ends with the cluster: {@link #close()}, a shutdown hook, and, should the launching JVM be killed,
 * a watch in each process ({@link ParentWatch}).
 */
public final class FlinkStandaloneCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FlinkStandaloneCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLASSPATH_RESOURCE = "flink-classpath.txt";
    private static final String PID_FILE = "processes.pid";
    private static final String MARKER_FILE = ".flink-cluster";
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path deploymentConfig;
    private final Path overlay;
    private final Path workDirectory;
    private final int initialTaskManagers;
    private final Integer slotsPerTaskManager;
    private final int requestedRestPort;
    private final boolean ownZooKeeper;
    private final String zooKeeperQuorum;
    private final Map<String, String> settings;
    private final String classpath;
    private final Duration startupTimeout;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    private final Map<String, FlinkProcess> taskManagers = new LinkedHashMap<>();
    private FlinkProcess jobManager;
    private int jobManagerStarts;
    private int taskManagerNumber;
    private EmbeddedZooKeeper zooKeeper;
    private Map<String, String> effectiveConfiguration;
    private ResourceParameters jobManagerResources;
    private ResourceParameters taskManagerResources;
    private ClusterRest rest;
    private int restPort;
    private Thread shutdownHook;
    private boolean started;

    private FlinkStandaloneCluster(Builder builder) {
        this.deploymentConfig = builder.configFile != null ? builder.configFile
            : ClusterConfiguration.findUpwards("flink-conf/config.yaml");
        this.overlay = builder.overlay != null ? builder.overlay : ClusterConfiguration.findUpwards("flink-conf/local.yaml");
        for (Path file : List.of(deploymentConfig, overlay)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no Flink configuration file at " + file.toAbsolutePath());
            }
        }
        this.initialTaskManagers = builder.taskManagers;
        this.slotsPerTaskManager = builder.slotsPerTaskManager;
        this.requestedRestPort = builder.restPort;
        this.ownZooKeeper = builder.ownZooKeeper;
        this.zooKeeperQuorum = builder.zooKeeperQuorum;
        this.settings = Map.copyOf(builder.settings);
        this.classpath = builder.classpath != null ? builder.classpath : defaultClasspath();
        this.startupTimeout = builder.startupTimeout;
        try {
            this.workDirectory = (builder.workDirectory != null ? builder.workDirectory
                : Files.createTempDirectory("eventflow-cluster-")).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory for the Flink cluster", e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts ZooKeeper (for {@link Builder#highAvailability()}), the JobManager and the TaskManagers, and returns once
     * the REST API answers with every TaskManager registered. Whatever a previous run left in the work directory is
     * deleted first (processes it recorded included). On failure everything started is stopped and the exception
     * carries the end of the failed process's log.
     */
    public synchronized FlinkStandaloneCluster start() {
        if (started) {
            throw new IllegalStateException("the cluster was already started (at " + restUrl() + ")");
        }
        started = true;
        killLeftovers();
        wipe(workDirectory);
        try {
            Files.createDirectories(workDirectory);
            Files.writeString(workDirectory.resolve(MARKER_FILE), "a Flink standalone cluster's work directory, "
                + "cleared at each start of io.eventflow.devstack.cluster.FlinkStandaloneCluster\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the cluster's work directory " + workDirectory, e);
        }
        shutdownHook = new Thread(this::close, "flink-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            Files.createDirectories(logDirectory());
            String quorum = zooKeeperQuorum;
            if (ownZooKeeper) {
                zooKeeper = EmbeddedZooKeeper.builder().dataDirectory(workDirectory.resolve("zookeeper")).build().start();
                quorum = zooKeeper.connectString();
            }
            restPort = requestedRestPort != 0 ? requestedRestPort : Ports.free(HOST);
            rest = new ClusterRest(restUrl());
            effectiveConfiguration = ClusterConfiguration.compose(deploymentConfig, overlay, workDirectory,
                runSettings(quorum));
            ClusterConfiguration.write(effectiveConfiguration, confDirectory());
            createSharedDirectories();
            Files.createDirectories(pluginsDirectory());
            writeWatchJar();
            CompletableFuture<ResourceParameters> jm = CompletableFuture.supplyAsync(() ->
                ResourceParameters.compute(Command.GET_JM_RESOURCE_PARAMS, java, classpath, confDirectory()));
            taskManagerResources = ResourceParameters.compute(Command.GET_TM_RESOURCE_PARAMS, java, classpath,
                confDirectory());
            jobManagerResources = jm.join();
            startJobManagerProcess();
            for (int i = 0; i < initialTaskManagers; i++) {
                startTaskManagerProcess();
            }
            List<FlinkProcess> all = startupProcesses();
            awaitCondition(initialTaskManagers + " registered TaskManagers with their slots", startupTimeout,
                () -> registeredWithSlots(initialTaskManagers), all);
        } catch (RuntimeException | IOException e) {
            String tails = diagnostics();
            close();
            throw new IllegalStateException("the Flink cluster did not start: " + e.getMessage() + "\n" + tails, e);
        }
        log.info("Flink standalone cluster at {}: {} and {} TaskManagers{}, work directory {}", restUrl(),
            jobManager.name(), taskManagers.size(), isHighlyAvailable() ? " (ZooKeeper HA)" : "", workDirectory);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Processes and faults
    // ---------------------------------------------------------------------------------------------------------

    /** The current JobManager process (after {@link #killJobManager()}, the dead one until another starts). */
    public synchronized FlinkProcess jobManager() {
        requireStarted();
        return jobManager;
    }

    /** The TaskManager processes started and not stopped, killed ones included, in start order. */
    public synchronized List<FlinkProcess> taskManagers() {
        requireStarted();
        return List.copyOf(taskManagers.values());
    }

    /** The TaskManager process with this name (its resource id), such as {@code taskmanager-2}. */
    public synchronized FlinkProcess taskManager(String name) {
        FlinkProcess process = taskManagers.get(name);
        if (process == null) {
            throw new IllegalArgumentException("no TaskManager named '" + name + "'; there are " + taskManagers.keySet());
        }
        return process;
    }

    /** Starts one more TaskManager and returns once it is registered with the JobManager. */
    public FlinkProcess addTaskManager() {
        FlinkProcess process;
        synchronized (this) {
            requireStarted();
            process = startTaskManagerProcess();
        }
        awaitCondition("TaskManager " + process.name() + " to register with its slots", startupTimeout,
            () -> registeredTaskManagers().contains(process.name())
                && registeredWithSlots(registeredTaskManagers().size()), List.of(process));
        return process;
    }

    /** Stops a TaskManager cleanly (SIGTERM: it deregisters) and forgets it. */
    public synchronized void removeTaskManager(FlinkProcess taskManager) {
        taskManager.stop(STOP_GRACE);
        taskManagers.remove(taskManager.name());
    }

    /** SIGKILL to the JobManager. With high availability, {@link #startJobManager()} brings a successor. */
    public synchronized FlinkProcess killJobManager() {
        requireStarted();
        jobManager.kill();
        return jobManager;
    }

    /**
     * Starts a new JobManager process (the previous one must be gone) and returns once the REST API answers again.
     * With ZooKeeper high availability it takes over the running jobs and restores them from their latest
     * checkpoints; without it, the jobs are gone.
     */
    public FlinkProcess startJobManager() {
        FlinkProcess process;
        synchronized (this) {
            requireStarted();
            if (jobManager.isAlive()) {
                throw new IllegalStateException(jobManager + " is still running; kill or stop it first");
            }
            process = startJobManagerProcess();
        }
        awaitCondition("the REST API of " + process.name(), startupTimeout, () -> rest.overview().isPresent(), List.of(process));
        return process;
    }

    /** {@link #killJobManager()} then {@link #startJobManager()}. */
    public FlinkProcess restartJobManager() {
        killJobManager();
        return startJobManager();
    }

    // ---------------------------------------------------------------------------------------------------------
    // What the JobManager says
    // ---------------------------------------------------------------------------------------------------------

    /** The resource ids of the TaskManagers registered with the JobManager now; empty while it does not answer. */
    public List<String> registeredTaskManagers() {
        if (rest == null) {
            return List.of();
        }
        return rest.taskManagers().map(list -> list.stream().map(TaskManagerInfo::id).toList()).orElse(List.of());
    }

    /** Free slots across the registered TaskManagers; -1 while the JobManager does not answer. */
    public int freeSlots() {
        if (rest == null) {
            return -1;
        }
        return rest.overview().map(Overview::slotsAvailable).orElse(-1);
    }

    /** Waits until exactly {@code count} TaskManagers are registered, and their slots with them. */
    public void awaitTaskManagers(int count, Duration timeout) {
        awaitCondition(count + " registered TaskManagers with their slots", timeout,
            () -> registeredWithSlots(count), List.of());
    }

    /** Slots of each TaskManager, as configured. */
    public int slotsPerTaskManager() {
        return Integer.parseInt(effectiveConfiguration().getOrDefault("taskmanager.numberOfTaskSlots", "1"));
    }

    /**
     * Exactly {@code count} TaskManagers registered, and all their slots known to the slot manager: a TaskManager is
     * listed as soon as it registers, its slots only once its slot report is processed, a moment later.
     */
    private boolean registeredWithSlots(int count) {
        return rest != null && rest.overview()
            .map(overview -> overview.taskManagers() == count && overview.slotsTotal() == count * slotsPerTaskManager())
            .orElse(false);
    }

    /** Waits until at least {@code slots} slots are free. */
    public void awaitFreeSlots(int slots, Duration timeout) {
        awaitCondition(slots + " free slots", timeout, () -> freeSlots() >= slots, List.of());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Addresses, directories, configuration
    // ---------------------------------------------------------------------------------------------------------

    /** The REST API and dashboard, {@code http://127.0.0.1:<port>}: the same for every JobManager of this cluster. */
    public String restUrl() {
        return "http://" + HOST + ":" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    public boolean isHighlyAvailable() {
        return ownZooKeeper || zooKeeperQuorum != null;
    }

    /** The ZooKeeper quorum of high availability, or empty without it. */
    public Optional<String> zooKeeperQuorum() {
        return Optional.ofNullable(effectiveConfiguration().get("high-availability.zookeeper.quorum"));
    }

    public Path workDirectory() {
        return workDirectory;
    }

    /** {@code config.yaml} (the effective configuration) and {@code log4j.properties} of every process. */
    public Path confDirectory() {
        return workDirectory.resolve("conf");
    }

    /** One {@code <process>.log} and one {@code <process>.out} per process. */
    public Path logDirectory() {
        return workDirectory.resolve("log");
    }

    /** {@code state.checkpoints.dir} as a local path. */
    public Path checkpointDirectory() {
        return localPath("state.checkpoints.dir");
    }

    /** {@code state.savepoints.dir} as a local path. */
    public Path savepointDirectory() {
        return localPath("state.savepoints.dir");
    }

    /** The configuration every process reads: the deployment's file, the overlay, then this run's settings. */
    public synchronized Map<String, String> effectiveConfiguration() {
        requireStarted();
        return Map.copyOf(effectiveConfiguration);
    }

    /** The JVM options and memory settings BashJavaUtils computed for the TaskManagers. */
    synchronized ResourceParameters taskManagerResources() {
        requireStarted();
        return taskManagerResources;
    }

    /** Stops every process (SIGTERM, then SIGKILL after 15 s) and ZooKeeper. */
    @Override
    public void close() {
        List<FlinkProcess> processes;
        synchronized (this) {
            processes = new ArrayList<>(taskManagers.values());
            if (jobManager != null) {
                processes.add(jobManager);
            }
        }
        CompletableFuture.allOf(processes.stream()
            .map(process -> CompletableFuture.runAsync(() -> process.stop(STOP_GRACE)))
            .toArray(CompletableFuture[]::new)).join();
        synchronized (this) {
            if (zooKeeper != null) {
                zooKeeper.close();
                zooKeeper = null;
            }
            if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already stopping: the hook runs anyway
                }
            }
            shutdownHook = null;
            try {
                Files.deleteIfExists(workDirectory.resolve(PID_FILE));
            } catch (IOException e) {
                log.warn("cannot delete {}", workDirectory.resolve(PID_FILE), e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------

    private Map<String, String> runSettings(String quorum) {
        Map<String, String> run = new LinkedHashMap<>();
        run.put("rest.port", String.valueOf(restPort));
        if (quorum != null) {
            run.put("high-availability.type", "zookeeper");
            run.put("high-availability.zookeeper.quorum", quorum);
        } else {
            // without HA the TaskManagers find the JobManager at this fixed address
            run.put("jobmanager.rpc.port", String.valueOf(Ports.free(HOST)));
        }
        if (slotsPerTaskManager != null) {
            run.put("taskmanager.numberOfTaskSlots", String.valueOf(slotsPerTaskManager));
        }
        run.putAll(settings);
        return run;
    }

    private FlinkProcess startJobManagerProcess() {
        jobManagerStarts++;
        String name = jobManagerStarts == 1 ? "jobmanager" : "jobmanager-" + jobManagerStarts;
        List<String> arguments = new ArrayList<>(List.of("--configDir", confDirectory().toString(),
            "--executionMode", "cluster"));
        arguments.addAll(jobManagerResources.dynamicProperties());
        arguments.addAll(List.of("-D", "io.tmp.dirs=" + processDirectory(name).resolve("tmp")));
        jobManager = launch(Role.JOB_MANAGER, name, JOB_MANAGER_MAIN, jobManagerResources, arguments);
        return jobManager;
    }

    private FlinkProcess startTaskManagerProcess() {
        String name = "taskmanager-" + ++taskManagerNumber;
        List<String> arguments = new ArrayList<>(taskManagerResources.dynamicProperties());
        arguments.addAll(List.of("--configDir", confDirectory().toString(),
            "-D", "taskmanager.resource-id=" + name,
            "-D", "io.tmp.dirs=" + processDirectory(name).resolve("tmp")));
        FlinkProcess process = launch(Role.TASK_MANAGER, name, TASK_MANAGER_MAIN, taskManagerResources, arguments);
        taskManagers.put(name, process);
        return process;
    }

    private FlinkProcess launch(Role role, String name, String mainClass, ResourceParameters resources,
                                List<String> arguments) {
        Path logFile = logDirectory().resolve(name + ".log");
        Path outFile = logDirectory().resolve(name + ".out");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(resources.jvmOptions());
        command.addAll(jvmOptions(role));
        command.add("-Dlog.file=" + logFile);
        command.add("-Dlog4j.configuration=file:" + confDirectory().resolve(ClusterConfiguration.LOG_CONFIG_FILE));
        command.add("-Dlog4j.configurationFile=file:" + confDirectory().resolve(ClusterConfiguration.LOG_CONFIG_FILE));
        command.add("-classpath");
        command.add(classpath + ":" + watchJar());
        command.add(ParentWatch.class.getName());
        command.add(String.valueOf(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(arguments);
        try {
            Files.createDirectories(processDirectory(name).resolve("tmp"));
            ProcessBuilder builder = new ProcessBuilder(command)
                .directory(processDirectory(name).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile.toFile()));
            // no plugins here (the distribution's plugins/ holds the metric reporters and file systems): an empty
            // directory, so that Flink does not warn about a missing one
            builder.environment().put("FLINK_PLUGINS_DIR", pluginsDirectory().toString());
            Process process = builder.start();
            Files.writeString(workDirectory.resolve(PID_FILE), process.pid() + " " + name + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            log.info("started {} (pid {}), log {}", name, process.pid(), logFile);
            return new FlinkProcess(role, name, process, logFile, outFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** What {@code config.sh} puts on the java command line: default options, then the configured ones. */
    private List<String> jvmOptions(Role role) {
        String suffix = role == Role.JOB_MANAGER ? "jobmanager" : "taskmanager";
        List<String> options = new ArrayList<>();
        for (String key : List.of("env.java.default-opts.all", "env.java.default-opts." + suffix,
                "env.java.opts.all", "env.java.opts." + suffix)) {
            options.addAll(ClusterConfiguration.words(effectiveConfiguration.get(key)));
        }
        return options;
    }

    private Path processDirectory(String name) {
        return workDirectory.resolve(name);
    }

    private Path pluginsDirectory() {
        return workDirectory.resolve("plugins");
    }

    private Path watchJar() {
        return workDirectory.resolve("lib").resolve("eventflow-parent-watch.jar");
    }

    /** The one class of ours that the processes need, alone in a jar, so devstack stays off their classpath. */
    private void writeWatchJar() throws IOException {
        String entry = ParentWatch.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(watchJar().getParent());
        try (InputStream classFile = ParentWatch.class.getClassLoader().getResourceAsStream(entry);
             JarOutputStream jar = new JarOutputStream(Files.newOutputStream(watchJar()))) {
            if (classFile == null) {
                throw new IllegalStateException(entry + " is missing from devstack's classes");
            }
            jar.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jar);
            jar.closeEntry();
        }
    }

    private void createSharedDirectories() throws IOException {
        for (String key : List.of("state.checkpoints.dir", "state.savepoints.dir", "high-availability.storageDir")) {
            String value = effectiveConfiguration.get(key);
            if (value != null && value.startsWith("file:")) {
                Files.createDirectories(Path.of(URI.create(value)));
            }
        }
    }

    private Path localPath(String key) {
        String value = effectiveConfiguration().get(key);
        if (value == null || !value.startsWith("file:")) {
            throw new IllegalStateException(key + " is " + value + ", not a local file: URI");
        }
        return Path.of(URI.create(value));
    }

    /** Polls until the condition holds; fails early, with its log, if one of {@code watched} exits meanwhile. */
    private void awaitCondition(String what, Duration timeout, BooleanSupplier condition, List<FlinkProcess> watched) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            for (FlinkProcess process : watched) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(process.name() + " exited with code " + process.exitCode()
                        + " while waiting for " + what + "\n" + process.tail(40));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                    + "; JobManager " + jobManager + ", TaskManagers " + taskManagers.values()
                    + ", registered " + registeredTaskManagers());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    private synchronized List<FlinkProcess> startupProcesses() {
        List<FlinkProcess> processes = new ArrayList<>();
        processes.add(jobManager);
        processes.addAll(taskManagers.values());
        return processes;
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder();
        synchronized (this) {
            List<FlinkProcess> processes = new ArrayList<>();
            if (jobManager != null) {
                processes.add(jobManager);
            }
            processes.addAll(taskManagers.values());
            for (FlinkProcess process : processes) {
                if (!process.isAlive() || process.role() == Role.JOB_MANAGER) {
                    text.append(process).append('\n').append(process.tail(30)).append('\n');
                }
            }
        }
        return text.toString();
    }

    /** Processes a previous run in this work directory recorded and that still run (a launcher killed with -9). */
    private void killLeftovers() {
        Path pids = workDirectory.resolve(PID_FILE);
        if (!Files.exists(pids)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pids, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split(" ", 2);
                if (parts[0].isEmpty()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(parts[0]))
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info().commandLine().map(c -> c.contains(workDirectory.toString()))
                        .orElse(false))
                    .ifPresent(handle -> {
                        log.warn("killing {} (pid {}), left running by a previous cluster in {}",
                            parts.length > 1 ? parts[1] : "a process", handle.pid(), workDirectory);
                        handle.destroyForcibly();
                    });
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot read {}", pids, e);
        }
    }

    private void requireStarted() {
        if (!started || jobManager == null) {
            throw new IllegalStateException("the cluster is not started; call start() first");
        }
    }

    /** Clears a work directory of an earlier cluster; refuses any other non-empty directory. */
    private static void wipe(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.findAny().isPresent() && !Files.exists(directory.resolve(MARKER_FILE))
                    && !writtenByACluster(directory.resolve("conf").resolve(ClusterConfiguration.CONFIG_FILE))) {
                throw new IllegalStateException("the work directory " + directory + " is not empty and no cluster's "
                    + "work directory (it has no " + MARKER_FILE + "): refusing to clear it; choose an empty or new one");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster's work directory " + directory, e);
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory))
                .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the cluster's work directory " + directory, e);
        }
    }

    /** A work directory of a cluster from before the marker file: its config.yaml says who wrote it. */
    private static boolean writtenByACluster(Path configFile) {
        try {
            return Files.isRegularFile(configFile)
                && Files.readString(configFile).contains("Written by " + FlinkStandaloneCluster.class.getName());
        } catch (IOException e) {
            return false;
        }
    }

    /** The cluster's classpath, written by the devstack build (see its pom.xml); it must exist on this machine. */
    static String defaultClasspath() {
        try (InputStream resource = FlinkStandaloneCluster.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (resource == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build devstack with Maven "
                    + "(mvn -pl devstack install), which writes it");
            }
            String classpath = new String(resource.readAllBytes(), StandardCharsets.UTF_8).strip();
            for (String entry : classpath.split(":")) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException("the Flink cluster's classpath names " + entry
                        + ", which does not exist: rebuild devstack (mvn -pl devstack install)");
                }
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CLASSPATH_RESOURCE, e);
        }
    }

    /** Builds a {@link FlinkStandaloneCluster}. */
    public static final class Builder {
        private int taskManagers = 2;
        private Integer slotsPerTaskManager;
        private int restPort;
        private Path configFile;
        private Path overlay;
        private Path workDirectory;
        private boolean ownZooKeeper;
        private String zooKeeperQuorum;
        private String classpath;
        private Duration startupTimeout = Duration.ofMinutes(2);
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
        }

        /** TaskManager processes at start (default 2). */
        public Builder taskManagers(int taskManagers) {
            if (taskManagers < 0) {
                throw new IllegalArgumentException("taskManagers must be 0 or more, was " + taskManagers);
            }
            this.taskManagers = taskManagers;
            return this;
        }

        /** Slots of each TaskManager; by default {@code taskmanager.numberOfTaskSlots} of the configuration. */
        public Builder slotsPerTaskManager(int slots) {
            if (slots < 1) {
                throw new IllegalArgumentException("slotsPerTaskManager must be at least 1, was " + slots);
            }
            this.slotsPerTaskManager = slots;
            return this;
        }

        /** The REST API's and dashboard's port; 0 (the default) picks a free one. */
        public Builder restPort(int restPort) {
            this.restPort = Ports.check("restPort", restPort);
            return this;
        }

        /** The deployment's configuration; by default {@code flink-conf/config.yaml} of this repository. */
        public Builder configFile(Path configFile) {
            this.configFile = Objects.requireNonNull(configFile, "configFile");
            return this;
        }

        /** The local overlay; by default {@code flink-conf/local.yaml} of this repository. */
        public Builder overlay(Path overlay) {
            this.overlay = Objects.requireNonNull(overlay, "overlay");
            return this;
        }

        /** Configuration, logs, checkpoints, ZooKeeper's data; by default a new temporary directory. Wiped at start. */
        public Builder workDirectory(Path workDirectory) {
            this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory");
            return this;
        }

        /** ZooKeeper high availability with a ZooKeeper server of the cluster's own, in this JVM. */
        public Builder highAvailability() {
            this.ownZooKeeper = true;
            this.zooKeeperQuorum = null;
            return this;
        }

        /** ZooKeeper high availability with this quorum ({@code host:port[,host:port]}). */
        public Builder highAvailability(String zooKeeperQuorum) {
            Objects.requireNonNull(zooKeeperQuorum, "zooKeeperQuorum");
            if (zooKeeperQuorum.isBlank()) {
                throw new IllegalArgumentException("zooKeeperQuorum must name at least one host:port");
            }
            this.zooKeeperQuorum = zooKeeperQuorum;
            this.ownZooKeeper = false;
            return this;
        }

        /** Any Flink option, winning over the files, for example {@code setting("heartbeat.timeout", "20 s")}. */
        public Builder setting(String key, String value) {
            settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The processes' classpath; by default Flink's artifacts as the devstack build lists them. */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** How long a start or a new process may take to register (default 2 min). */
        public Builder startupTimeout(Duration startupTimeout) {
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        public FlinkStandaloneCluster build() {
            return new FlinkStandaloneCluster(this);
        }
    }
}
