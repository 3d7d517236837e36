package dev.sdfleet.pipeline.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the project's {@code shared/} folder (conformance data, notes), which lies beside the repository checkout
 * rather than inside it. Tests that need it skip, not fail, in a plain clone without it.
 *
 * <p>Looked up as surefire's {@code sdfleet.repo.root} system property + {@code /../shared}, then by walking up from
 * the working directory to a folder with a {@code shared/conformance} sub-folder (IDE runs set no property).
 */
public final class SharedFolder {

    /** System property that surefire sets to the repository root. */
    public static final String REPO_ROOT_PROPERTY = "sdfleet.repo.root";

    /** What marks a folder named {@code shared} as the project's one. */
    private static final String MARKER = "conformance";

    private SharedFolder() {}

    /** The shared folder, when there is one. */
    public static Optional<Path> find() {
        String repoRoot = System.getProperty(REPO_ROOT_PROPERTY);
        if (repoRoot != null && !repoRoot.isBlank()) {
            Path candidate =
                    Path.of(repoRoot).resolve("../shared").toAbsolutePath().normalize();
            if (Files.isDirectory(candidate.resolve(MARKER))) {
                return Optional.of(candidate);
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve(MARKER))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The shared folder; skips the calling test (JUnit assumption) when there is none. */
    public static Path require() {
        Optional<Path> shared = find();
        Assumptions.assumeTrue(
                shared.isPresent(),
                "no shared/ folder beside the repository (set -D" + REPO_ROOT_PROPERTY + "); skipping");
        return shared.get();
    }

    /** A file or folder inside the shared folder; skips the calling test when either is missing. */
    public static Path require(String relativePath) {
        Path path = require().resolve(relativePath);
        Assumptions.assumeTrue(Files.exists(path), "no " + path + "; skipping");
        return path;
    }
}
