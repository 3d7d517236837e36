package dev.sdfleet.infra;

import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of the repository (its root as the pipeline's tests find it: surefire's {@code sdfleet.repo.root}). */
final class Repo {
    private Repo() {}

    static Path path(String relative) {
        return TinyModels.repoRoot().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files under {@code dir} whose names end with one of {@code suffixes}, build outputs and test sources left out. */
    static List<Path> files(String dir, String... suffixes) {
        try (Stream<Path> walk = Files.walk(path(dir))) {
            return walk.filter(Files::isRegularFile)
                    .filter(p ->
                            !p.toString().contains("/target/") && !p.toString().contains("/src/"))
                    .filter(p -> Stream.of(suffixes)
                            .anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
