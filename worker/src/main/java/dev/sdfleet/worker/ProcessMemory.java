package dev.sdfleet.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of a process from {@code /proc/<pid>/status} (Linux only; -1 elsewhere). */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** VmRSS of {@code pid} in KiB, or -1. */
    public static long rssKiB(long pid) {
        return field(pid, "VmRSS:");
    }

    /** VmHWM (peak resident memory) of {@code pid} in KiB, or -1. */
    public static long peakRssKiB(long pid) {
        return field(pid, "VmHWM:");
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(
                            line.substring(name.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux) or the process is gone
        }
        return -1;
    }
}
