package dev.sdfleet.pipeline.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The model folders the repository ships under {@code models/}: the trained tiny SD and the family fixtures. */
public final class TinyModels {
    private TinyModels() {}

    /** The repository root: surefire passes it; otherwise walk up from the working directory. */
    public static Path repoRoot() {
        String root = System.getProperty("sdfleet.repo.root");
        if (root != null && Files.isDirectory(Path.of(root, "models"))) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models/tiny-sd"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no models/tiny-sd above "
                + Path.of("").toAbsolutePath() + ")");
    }

    /** The trained SD 1.x-layout model. */
    public static Path sd() {
        return require("tiny-sd");
    }

    /** Random-weight SD 2.x-shaped fixture (v-prediction, pad id 0, int32 ids, int64 timestep, weights.pb). */
    public static Path sd2() {
        return require("tiny-sd2");
    }

    /** Random-weight SDXL-shaped fixture (two encoders, text_embeds, time_ids). */
    public static Path sdxl() {
        return require("tiny-sdxl");
    }

    private static Path require(String name) {
        // -Dsdfleet.models=DIR points the tests at another set of exports (e.g. a retrained model before committing).
        String override = System.getProperty("sdfleet.models");
        Path dir = (override != null ? Path.of(override) : repoRoot().resolve("models")).resolve(name);
        assertTrue(Files.isDirectory(dir), "the repository ships " + dir);
        return dir;
    }

    /** Copies a model folder (a few MB) so a test can break it. */
    public static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
