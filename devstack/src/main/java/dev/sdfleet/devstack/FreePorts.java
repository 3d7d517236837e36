package dev.sdfleet.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Picks loopback TCP ports that are free right now, for servers that must know their port before they bind. */
public final class FreePorts {
    private FreePorts() {}

    /**
     * Returns a port that was free on 127.0.0.1 a moment ago. Another process may still take it before the caller
     * binds it; that race is accepted for tests and local runs.
     */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    /** Throws a readable error when something already listens on the loopback port. */
    static void requireFree(int port, String user) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assert probe.isBound(); // binding was the check; closing frees the port again
        } catch (IOException e) {
            throw new IllegalStateException(user + " port 127.0.0.1:" + port + " is already in use", e);
        }
    }

    /** Returns {@code requested} unless it is 0, in which case a free port is picked. */
    static int orPick(int requested) {
        if (requested < 0 || requested > 65535) {
            throw new IllegalArgumentException("Port out of range: " + requested);
        }
        return requested == 0 ? pick() : requested;
    }
}
