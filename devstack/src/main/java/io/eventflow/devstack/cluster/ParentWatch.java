package io.eventflow.devstack.cluster;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Starts a Flink entry point in a cluster process and ends that process when the JVM that launched it is gone, so
 * that a test JVM or {@code bin/cluster} killed with SIGKILL leaves no JobManager or TaskManager behind (a clean
 * stop, Ctrl-C or SIGTERM, stops them earlier through the launcher's shutdown hook).
 *
 * <p>Arguments: the launcher's pid, the entry point's class, then the entry point's own arguments. It is the only
 * class of eventflow on a cluster process's classpath (in a jar of its own), so nothing of devstack is visible to
 * jobs there. It uses only the JDK.
 */
public final class ParentWatch {

    /** How long the entry point's shutdown hooks may take after the launcher is gone. */
    private static final long HALT_AFTER_MILLIS = 15_000;

    private ParentWatch() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ParentWatch <launcher pid> <main class> [arguments]");
            System.exit(2);
        }
        long launcher = Long.parseLong(args[0]);
        Optional<ProcessHandle> parent = ProcessHandle.of(launcher);
        if (parent.isEmpty()) {
            System.err.println("the launcher (pid " + launcher + ") is already gone; not starting " + args[1]);
            System.exit(1);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("the launcher (pid " + launcher + ") is gone; stopping " + args[1]);
            Thread halt = new Thread(() -> {
                sleep(HALT_AFTER_MILLIS);
                Runtime.getRuntime().halt(1);
            }, "parent-watch-halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(1);
        });
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
