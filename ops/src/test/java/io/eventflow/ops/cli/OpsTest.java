package io.eventflow.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OpsTest {

    @Test
    void anUnreachableMongoDbFailsTheCommandWithinSecondsAndSaysWhatToCheck() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        long started = System.nanoTime();
        int exitCode;
        try {
            exitCode = Ops.run(new String[] {"audit", "--read-models", "orders:Order", "--mongodb-uri",
                "mongodb://127.0.0.1:" + closedPort + "/?replicaSet=rs0"}, Map.of());
        } finally {
            System.setErr(original);
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
            .startsWith("failed: MongoDB did not answer within 5 s (is it running, and is --mongodb-uri right?)")
            .contains("127.0.0.1:" + closedPort);
        assertThat(seconds).as("well before the driver's default of 30 s").isLessThan(20);
    }
}
