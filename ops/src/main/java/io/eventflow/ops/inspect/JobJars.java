package io.eventflow.ops.inspect;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.ProgramInvocationException;

import io.eventflow.ops.submit.JobSubmission;

/**
 * The projections of a job's jars, asked through the job's own code: the jars are loaded in Flink's user-code class
 * loader (child-first, as a TaskManager loads them), and the job's {@code io.eventflow.job.inspect.ReadModelInspector}
 * answers with plain JDK types. So the operations commands know a user's read models without a fork and without the
 * job's connectors on their own classpath.
 */
public final class JobJars implements AutoCloseable {

    private static final String INSPECTOR = "io.eventflow.job.inspect.ReadModelInspector";

    /** A read model of the jars. */
    public record ReadModel(String name, String collection, boolean crossAggregate) {
    }

    private final PackagedProgram program;
    private final Class<?> inspector;

    private JobJars(PackagedProgram program, Class<?> inspector) {
        this.program = program;
        this.inspector = inspector;
    }

    /** Loads the jars of a submission. */
    public static JobJars open(JobSubmission submission) {
        PackagedProgram program;
        try {
            program = PackagedProgram.newBuilder().setJarFile(submission.jar().toFile())
                .setUserClassPaths(submission.extraJars().stream().map(JobJars::url).toList())
                .build();
        } catch (ProgramInvocationException e) {
            throw new IllegalArgumentException("jar " + submission.jar() + " cannot be loaded: " + e.getMessage(), e);
        }
        try {
            return new JobJars(program, Class.forName(INSPECTOR, true, program.getUserCodeClassLoader()));
        } catch (ClassNotFoundException e) {
            program.close();
            throw new IllegalArgumentException(submission.jar() + " holds no eventflow job (" + INSPECTOR + " is missing): "
                + "pass the application jar or projection-job.jar with --jar", e);
        }
    }

    /** The read models of the jars' projections, or of those named. */
    @SuppressWarnings("unchecked")
    public List<ReadModel> readModels(List<String> projections) {
        List<ReadModel> models = new ArrayList<>();
        for (Map<String, String> model : (List<Map<String, String>>) call("describe", new Class<?>[] {List.class},
            projections)) {
            models.add(new ReadModel(model.get("name"), model.get("collection"),
                model.get("kind").equals("cross-aggregate")));
        }
        return models;
    }

    /** The event types, of those given, that a projection handles. */
    @SuppressWarnings("unchecked")
    public Set<String> handledTypes(String projection, Collection<String> eventTypes) {
        return (Set<String>) call("handledTypes", new Class<?>[] {String.class, Collection.class}, projection, eventTypes);
    }

    /**
     * A cross-aggregate projection's documents recomputed from stored events (BSON, each aggregate's events in order),
     * for the keys given or all (null).
     */
    @SuppressWarnings("unchecked")
    public Map<String, byte[]> recompute(String projection, Iterator<byte[]> storedEvents, Set<String> keys) {
        return (Map<String, byte[]>) call("recompute", new Class<?>[] {String.class, Iterator.class, Set.class},
            projection, storedEvents, keys);
    }

    private Object call(String name, Class<?>[] types, Object... arguments) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(program.getUserCodeClassLoader());
        try {
            Method method = inspector.getMethod(name, types);
            return method.invoke(null, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("the job's projections failed: " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the job jar's " + INSPECTOR + " has no usable " + name + ": " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static java.net.URL url(Path jar) {
        try {
            return jar.toAbsolutePath().toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("jar '" + jar + "' has no URL", e);
        }
    }

    @Override
    public void close() {
        program.close();
    }
}
