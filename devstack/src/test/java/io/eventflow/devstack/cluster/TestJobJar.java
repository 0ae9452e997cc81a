package io.eventflow.devstack.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import io.eventflow.devstack.cluster.testjob.SequenceJob;

/**
 * Packages the test job ({@code io.eventflow.devstack.cluster.testjob}, compiled with the tests) into a jar, as a
 * user's build would, so that it is submitted over REST and loaded by the TaskManagers' user-code class loader.
 */
final class TestJobJar {

    private TestJobJar() {
    }

    /** Writes {@code target/cluster-test-job.jar} (once per JVM) and returns it. */
    static synchronized Path build() {
        Path jar = Path.of("target", "cluster-test-job.jar").toAbsolutePath();
        try {
            Path classes = Path.of(SequenceJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String packagePath = SequenceJob.class.getPackageName().replace('.', '/');
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SequenceJob.class.getName());
            List<Path> classFiles;
            try (Stream<Path> files = Files.walk(classes.resolve(packagePath))) {
                classFiles = files.filter(file -> file.toString().endsWith(".class")).sorted().toList();
            }
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                for (Path classFile : classFiles) {
                    out.putNextEntry(new JarEntry(classes.relativize(classFile).toString().replace('\\', '/')));
                    Files.copy(classFile, out);
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot package the test job into " + jar, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
