package io.eventflow.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Ports for the stack's servers: the check every builder makes, and free ports for servers told their port. */
public final class Ports {

    /** Where Linux hands out ports to outgoing connections unless configured otherwise. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 10000;

    private Ports() {
    }

    /**
     * {@code port} if it is a TCP port or 0 (a free one, chosen when the server starts).
     *
     * @param name the builder's parameter, for the message
     * @throws IllegalArgumentException naming the parameter and the value otherwise
     */
    public static int check(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + port);
        }
        return port;
    }

    /**
     * A port free on {@code host} now, for a server that is told its port rather than binding port 0 itself (Kafka's
     * listeners, ZooKeeper, Flink's processes). It is taken below the system's ephemeral range: a port from that range
     * (what binding port 0 gives) is also what the next outgoing connection of any process may take before the server
     * binds it, which made a Flink REST endpoint fail with "Could not start rest endpoint" in a busy build.
     */
    public static int free(String host) {
        int high = ephemeralLow() - 1;
        if (high - LOWEST >= 1000) {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, high + 1);
                if (isFree(host, port)) {
                    return port;
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    private static boolean isFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lowest ephemeral port (Linux: {@code /proc/sys/net/ipv4/ip_local_port_range}), else the usual default. */
    private static int ephemeralLow() {
        try {
            // read by line: procfs reports a size of 0, and a read sized by it can end after the first bytes
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
