package io.eventflow.ops.submit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What to run: a job jar, the jars that go with it, the job's arguments, and where to restore its state from.
 *
 * <p>The job jar holds the job's main class (eventflow's job, alone in {@code projection-job.jar} or packed with
 * your projections in an application jar). Extra jars, such as a jar of projections only, are loaded next to it in
 * the job's user-code class loader, on the client and on every TaskManager (Flink ships them with the job).
 *
 * @param jar                   the job jar
 * @param extraJars             more jars for the job's class loader
 * @param arguments             the job's arguments, such as {@code --config job.yaml}
 * @param restorePath           a savepoint or retained checkpoint, or null for fresh state
 * @param allowNonRestoredState whether state no operator claims may be dropped on restore
 * @param parallelism           the job's default parallelism, or -1 for the cluster's {@code parallelism.default}
 */
public record JobSubmission(Path jar, List<Path> extraJars, List<String> arguments, String restorePath,
                            boolean allowNonRestoredState, int parallelism) {

    public JobSubmission {
        Objects.requireNonNull(jar, "jar");
        extraJars = List.copyOf(extraJars);
        arguments = List.copyOf(arguments);
        for (Path path : concat(jar, extraJars)) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("jar '" + path + "' does not exist; build it with mvn -B -DskipTests "
                    + "package");
            }
        }
        if (!hasMainClass(jar)) {
            throw new IllegalArgumentException("jar '" + jar + "' names no main class (Main-Class in its manifest), so it "
                + "is no job jar; a jar of projections only runs beside the stock job: --jar job/target/projection-job.jar "
                + "--add-jars " + jar);
        }
    }

    /** Whether the jar's manifest names the class Flink runs, as {@code flink run} looks for it. */
    private static boolean hasMainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return manifest != null && (manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS) != null
                || manifest.getMainAttributes().getValue("program-class") != null);
        } catch (IOException e) {
            throw new IllegalArgumentException("jar '" + jar + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** A fresh start of {@code jar} with these arguments. */
    public static JobSubmission of(Path jar, List<Path> extraJars, List<String> arguments) {
        return new JobSubmission(jar, extraJars, arguments, null, false, -1);
    }

    /** The same submission with other arguments. */
    public JobSubmission withArguments(List<String> newArguments) {
        return new JobSubmission(jar, extraJars, newArguments, restorePath, allowNonRestoredState, parallelism);
    }

    /** The same submission, restored from a savepoint or retained checkpoint. */
    public JobSubmission restoredFrom(String path, boolean allowNonRestored) {
        return new JobSubmission(jar, extraJars, arguments, path, allowNonRestored, parallelism);
    }

    private static List<Path> concat(Path jar, List<Path> extraJars) {
        List<Path> all = new ArrayList<>();
        all.add(jar);
        all.addAll(extraJars);
        return all;
    }
}
