package dev.sdfleet.pipeline.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * ORT's optimised graph of a component kept on disk, so that a worker's next start (scaling from zero, a restart)
 * skips the graph optimisations: for an SD-sized UNet they are most of the load (BENCHMARKS.md, "SD-1.5-shaped model":
 * load time). The first load writes the graph ORT optimised, weights in a file beside it; later loads open that graph
 * with optimisations off.
 *
 * <p>An entry is named by a digest of everything its graph depends on: the component's files (names, sizes,
 * modification times), the session options, the ORT version and the CPU (at {@code ALL_OPT} ORT rewrites convolutions
 * for the CPU's vector width: such a graph is only valid on the machine type that wrote it). It is written under a
 * temporary name and renamed when complete, so a worker killed while writing leaves no entry that a later one would
 * trust. For the CPU provider only: TensorRT has its own engine cache.
 */
public final class OptimizedGraphCache {
    private static final String PARTIAL = ".partial";

    private final Path folder;

    public OptimizedGraphCache(Path folder) {
        this.folder = folder;
    }

    /** One component's entry. */
    public record Entry(Path model, Path weights) {
        Path partial() {
            return model.resolveSibling(model.getFileName() + PARTIAL);
        }

        /** True when a complete entry is on disk (a small graph keeps its weights inside: no weights file). */
        public boolean exists() {
            return Files.isRegularFile(model);
        }
    }

    /** The entry for {@code component} loaded from {@code source} with {@code options}. */
    public Entry entry(String component, Path source, Map<String, String> options) {
        String key = component + "-" + digest(source, options);
        return new Entry(folder.resolve(key + ".onnx"), folder.resolve(key + ".onnx.data"));
    }

    /** Makes the session being created write its optimised graph to {@code entry} (see {@link #commit}). */
    public void writeOnCreate(OrtSession.SessionOptions options, Entry entry) throws OrtException {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the graph cache " + folder, e);
        }
        options.setOptimizedModelFilePath(entry.partial().toString());
        // Weights in one file beside the graph, as a large model's must be (protobuf stops at 2 GB).
        options.addConfigEntry(
                "session.optimized_model_external_initializers_file_name",
                entry.weights().getFileName().toString());
        options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
    }

    /** Marks an entry written by a session created with {@link #writeOnCreate} as complete. */
    public void commit(Entry entry) throws IOException {
        Files.move(entry.partial(), entry.model(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes an entry (one that ORT could not open). */
    public void discard(Entry entry) {
        for (Path file : List.of(entry.model(), entry.weights(), entry.partial())) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a file that cannot be deleted is overwritten by the next write
            }
        }
    }

    private static String digest(Path source, Map<String, String> options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path dir = source.toAbsolutePath().getParent();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    if (Files.isRegularFile(file)) {
                        update(
                                sha,
                                file.getFileName() + ":" + Files.size(file) + ":"
                                        + Files.getLastModifiedTime(file).toMillis());
                    }
                }
            }
            update(sha, source.getFileName().toString());
            update(sha, new TreeMap<>(options).toString());
            update(sha, OrtRuntime.environment().getVersion());
            update(sha, System.getProperty("os.arch") + ":" + cpuModel());
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + " to name its cached graph", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    /** The CPU's model name and flags (Linux), or nothing where /proc/cpuinfo is not readable. */
    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name") || l.startsWith("flags"))
                    .limit(2)
                    .reduce("", String::concat);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }
}
