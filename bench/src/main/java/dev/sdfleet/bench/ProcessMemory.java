package dev.sdfleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in /proc/self (KiB; -1 where there is no /proc). */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Resident now (VmRSS). */
    public static long rssKiB() {
        return field("VmRSS");
    }

    /** The peak since the process started (VmHWM). */
    public static long peakKiB() {
        return field("VmHWM");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
