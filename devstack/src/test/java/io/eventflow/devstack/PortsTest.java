package io.eventflow.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aFreePortIsBindableAndOutsideTheRangeOutgoingConnectionsUse() throws Exception {
        int port = Ports.free("127.0.0.1");

        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.exists(range)) {
            int ephemeralLow = Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
            assertThat(port).isBetween(10000, ephemeralLow - 1);
        }
    }

    @Test
    void aPortOutsideTcpsRangeIsRefusedWithTheParameterAndTheValue() {
        assertThatThrownBy(() -> Ports.check("restPort", 70000)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("restPort must be between 0 and 65535, was 70000");
        assertThat(Ports.check("port", 0)).isZero();
    }
}
