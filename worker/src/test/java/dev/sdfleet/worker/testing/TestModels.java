package dev.sdfleet.worker.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trained tiny model the tests run on: {@code -Dsdfleet.models=DIR} points at another set of exports (as in the
 * pipeline's tests), otherwise the repository's {@code models/} folder (surefire passes {@code sdfleet.repo.root}).
 */
public final class TestModels {
    /** The model id jobs must name: the folder's name. */
    public static final String TINY_SD = "tiny-sd";

    private TestModels() {
    }

    public static Path tinySd() {
        String override = System.getProperty("sdfleet.models");
        Path models = override != null ? Path.of(override) : repoRoot().resolve("models");
        Path dir = models.resolve(TINY_SD);
        assertTrue(Files.isDirectory(dir), "no model at " + dir + " (set -Dsdfleet.models=DIR)");
        return dir;
    }

    private static Path repoRoot() {
        String root = System.getProperty("sdfleet.repo.root");
        if (root != null) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("worker"))) {
                return p;
            }
        }
        return Path.of("").toAbsolutePath();
    }
}
