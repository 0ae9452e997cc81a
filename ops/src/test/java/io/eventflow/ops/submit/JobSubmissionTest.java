package io.eventflow.ops.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a submission refuses before anything reaches Flink. */
class JobSubmissionTest {

    @TempDir
    Path directory;

    @Test
    void aJarOfProjectionsOnlyIsNoJobJarAndTheMessageSaysWhereItGoes() throws IOException {
        Path projections = jar("cart-projections.jar", null);

        assertThatThrownBy(() -> JobSubmission.of(projections, List.of(), List.of()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("jar '" + projections + "' names no main class (Main-Class in its manifest), so it is no job "
                + "jar; a jar of projections only runs beside the stock job: --jar job/target/projection-job.jar "
                + "--add-jars " + projections);
        assertThat(JobSubmission.of(jar("cart-app.jar", "io.eventflow.job.ProjectionJob"), List.of(projections),
            List.of()).extraJars()).containsExactly(projections);
    }

    @Test
    void aMissingJarIsNamed() {
        Path missing = directory.resolve("nowhere.jar");

        assertThatThrownBy(() -> JobSubmission.of(missing, List.of(), List.of()))
            .hasMessage("jar '" + missing + "' does not exist; build it with mvn -B -DskipTests package");
    }

    private Path jar(String name, String mainClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        Path jar = directory.resolve(name);
        new JarOutputStream(Files.newOutputStream(jar), manifest).close();
        return jar;
    }
}
