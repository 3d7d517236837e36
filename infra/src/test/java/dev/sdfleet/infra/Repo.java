package dev.sdfleet.infra;

import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Files of the repository (its root as the pipeline's tests find it: surefire's {@code sdfleet.repo.root}). */
final class Repo {
    private static final Pattern ENV_KEY = Pattern.compile("\"(SDFLEET_[A-Z0-9_]+)\"");

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

    /**
     * The {@code SDFLEET_*} variables a service reads: every such string literal in its main sources. Each service
     * reads its configuration in one class (WorkerConfig, DispatcherConfig), so a literal there is a key it reads.
     */
    static java.util.Set<String> envKeysReadBy(String module) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        try (Stream<Path> walk = Files.walk(path(module + "/src/main/java"))) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = ENV_KEY.matcher(Files.readString(file));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
