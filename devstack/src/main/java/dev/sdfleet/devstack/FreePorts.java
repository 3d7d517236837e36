package dev.sdfleet.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback TCP ports that are free right now, for servers that must know their port before they bind (the
 * Kafka broker's controller port goes into its own configuration).
 *
 * <p>The ports come from below the kernel's ephemeral range. A port the kernel handed out for {@code bind(0)} and
 * that was closed again is free for the kernel to hand out once more, to anyone's {@code bind(0)} or outgoing
 * connection, in the second between the pick and the server's bind: an S3 server starting beside the broker, or a
 * client reconnecting, then took the controller's port and the broker's start ended in a fatal fault. Below the
 * ephemeral range only an explicit bind can take a port, and no port is handed out twice in one JVM.
 */
public final class FreePorts {
    /** Lowest port picked: above the well-known services' usual ports. */
    static final int LOWEST = 20_000;

    /** Where the ephemeral range starts when the kernel does not say: Linux's default (BSDs and Windows start higher). */
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;

    private static final Path LINUX_EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** The first port of the kernel's ephemeral range, read once: the picks stay below it. */
    static final int EPHEMERAL_LOW = ephemeralLow();

    private static final int ATTEMPTS = 500;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /**
     * Returns a port that was free on 127.0.0.1 a moment ago, below the ephemeral range and never returned before in
     * this JVM. Only another process binding that very port can still take it before the caller binds it.
     */
    public static int pick() {
        for (int attempt = 0; attempt < ATTEMPTS && EPHEMERAL_LOW > LOWEST; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_LOW);
            if (HANDED_OUT.add(candidate) && isFree(candidate)) {
                return candidate;
            }
        }
        // A range reaching down to LOWEST, or that many ports in use: the kernel's pick, with its small race.
        return kernelPick();
    }

    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: on /proc files (size 0) JDK 25's readString returned only "3".
            String range = Files.readAllLines(LINUX_EPHEMERAL_RANGE).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW; // not Linux, or not readable
        }
    }

    /** Throws a readable error when something already listens on the loopback port. */
    static void requireFree(int port, String user) {
        if (!isFree(port)) {
            throw new IllegalStateException(user + " port 127.0.0.1:" + port + " is already in use");
        }
    }

    /** Returns {@code requested} unless it is 0, in which case a free port is picked. */
    static int orPick(int requested) {
        if (requested < 0 || requested > 65535) {
            throw new IllegalArgumentException("Port out of range: " + requested);
        }
        return requested == 0 ? pick() : requested;
    }

    private static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return probe.isBound(); // binding was the check; closing frees the port again
        } catch (IOException e) {
            return false;
        }
    }

    private static int kernelPick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HANDED_OUT.add(socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }
}
