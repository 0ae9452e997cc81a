package io.eventflow.devstack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps a command-line process running until it is interrupted (Ctrl-C, SIGTERM), then closes what it started in
 * reverse order.
 */
public final class Foreground {

    private Foreground() {
    }

    /** Blocks until the JVM is asked to stop; {@code components} are closed by the shutdown hook, last first. */
    public static void runUntilStopped(List<? extends AutoCloseable> components) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(components);
            System.err.println("stopped");
            stopped.countDown();
        }, "devstack-shutdown"));
        stopped.await();
    }

    /** Closes the components, last first; a failure to close one is printed and the others are still closed. */
    public static void closeAll(List<? extends AutoCloseable> components) {
        List<AutoCloseable> closeOrder = new ArrayList<>(components);
        Collections.reverse(closeOrder);
        for (AutoCloseable component : closeOrder) {
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("error while stopping " + component + ": " + e);
            }
        }
    }
}
