package dev.sdfleet.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Best-effort clean-up of temporary folders: a leftover temp file must never fail a close(). */
final class Folders {
    private Folders() {}

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(Folders::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // Left for the OS temp cleaner.
        }
    }

    static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Left for the OS temp cleaner.
        }
    }
}
