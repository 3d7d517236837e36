package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void picksAreBindableNeverRepeatedAndOutsideTheKernelsEphemeralRange() throws Exception {
        int ephemeralLow = FreePorts.EPHEMERAL_LOW;
        Set<Integer> picked = new HashSet<>();
        int last = 0;
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.pick();
            last = port;
            assertTrue(picked.add(port), "port " + port + " handed out twice");
            if (ephemeralLow > FreePorts.LOWEST) {
                assertTrue(
                        port >= FreePorts.LOWEST && port < ephemeralLow,
                        port + " is not in [" + FreePorts.LOWEST + ", " + ephemeralLow + ")");
            }
        }
        // Free when picked: the last one binds.
        try (ServerSocket socket = new ServerSocket(last, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(last, socket.getLocalPort());
        }
    }

    @Test
    void aPortInUseIsNamedAndAnExplicitPortIsKept() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> FreePorts.requireFree(taken.getLocalPort(), "Kafka"));
            assertEquals("Kafka port 127.0.0.1:" + taken.getLocalPort() + " is already in use", e.getMessage());
            assertEquals(taken.getLocalPort(), FreePorts.orPick(taken.getLocalPort()));
        }
        assertThrows(IllegalArgumentException.class, () -> FreePorts.orPick(70_000));
    }
}
