package io.eventflow.ops.submit;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.util.ExceptionUtils;

import io.eventflow.ops.rest.FlinkRestException;

/**
 * Submits a job jar the way {@code flink run} does, on any cluster whose REST API answers, the embedded one
 * included: the jar's main class runs here, in a user-code class loader over the job jar and its extra jars, and
 * builds the job graph (so configuration mistakes, such as an unknown projection, fail here, before anything runs);
 * Flink's {@link RestClusterClient} then uploads the graph with the jars to the cluster.
 */
public final class JobSubmitter {

    private final RestClusterClient<?> client;
    private final int clusterParallelism;
    private final Function<String, Optional<String>> activeJobNamed;

    /**
     * @param clusterParallelism the cluster's {@code parallelism.default}, used when a submission names none
     * @param activeJobNamed     the id of a job of this name that runs (or restarts) on the cluster, if any
     */
    public JobSubmitter(RestClusterClient<?> client, int clusterParallelism,
                        Function<String, Optional<String>> activeJobNamed) {
        this.client = client;
        this.clusterParallelism = clusterParallelism;
        this.activeJobNamed = activeJobNamed;
    }

    /** Runs the job's main to build its graph, submits it, and returns the job's id. */
    public String submit(JobSubmission submission) {
        Configuration configuration = new Configuration();
        SavepointRestoreSettings restore = submission.restorePath() == null ? SavepointRestoreSettings.none()
            : SavepointRestoreSettings.forPath(submission.restorePath(), submission.allowNonRestoredState());
        int parallelism = submission.parallelism() > 0 ? submission.parallelism() : clusterParallelism;
        JobGraph graph;
        try (PackagedProgram program = PackagedProgram.newBuilder()
                .setJarFile(submission.jar().toFile())
                .setUserClassPaths(urls(submission.extraJars()))
                .setArguments(submission.arguments().toArray(String[]::new))
                .setConfiguration(configuration)
                .setSavepointRestoreSettings(restore)
                .build()) {
            graph = PackagedProgramUtils.createJobGraph(program, configuration, parallelism, false);
        } catch (ProgramInvocationException e) {
            throw new FlinkRestException("the job in " + submission.jar().getFileName() + " refused to start: "
                + rootMessage(e), e);
        }
        // a second job of the same name reads the same store into the same outputs: every event published twice
        Optional<String> running = activeJobNamed.apply(graph.getName());
        if (running.isPresent()) {
            throw new FlinkRestException("job " + running.get() + " '" + graph.getName() + "' already runs on "
                + client.getWebInterfaceURL() + "; a second one would read the same store and publish every event "
                + "again. Replace it with bin/upgrade, stop it with bin/cancel first, or give this job its own "
                + "job.name (and its own kafka.transactional-id-prefix, outputs or read-model database)");
        }
        // the extra jars travel with the job, like the job jar: no TaskManager needs them on its disk
        graph.setClasspaths(List.of());
        for (Path extra : submission.extraJars()) {
            graph.addJar(new org.apache.flink.core.fs.Path(extra.toAbsolutePath().toUri()));
        }
        try {
            JobID id = client.submitJob(graph).get(5, TimeUnit.MINUTES);
            return id.toHexString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted while submitting " + submission.jar().getFileName(), e);
        } catch (Exception e) {
            throw new FlinkRestException("submitting " + submission.jar().getFileName() + " to "
                + client.getWebInterfaceURL() + " failed: " + rootMessage(e), e);
        }
    }

    /**
     * What the job or the cluster actually said: the job's own configuration error if there is one in the chain (it
     * names the option and the value; its cause, a parser's message, does not), else the deepest cause's message.
     */
    public static String rootMessage(Throwable error) {
        Throwable root = ExceptionUtils.stripCompletionException(error);
        for (Throwable cause = root; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            // by name: the job's classes live in the jar's class loader, not in this one
            if (cause.getClass().getSimpleName().equals("InvalidConfigurationException") && cause.getMessage() != null) {
                return cause.getMessage();
            }
        }
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message != null ? message : root.getClass().getSimpleName();
    }

    private static List<URL> urls(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(new File(jar.toAbsolutePath().toString()).toURI().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("jar '" + jar + "' has no URL", e);
            }
        }
        return urls;
    }
}
