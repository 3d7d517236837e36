package dev.sdfleet.pipeline.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ORT's optimised graphs kept on disk, on the bundled model: the first load writes one complete entry per component,
 * a second load opens them (and writes nothing), and the images are the same as without a cache; an entry ORT cannot
 * open is replaced, and other options get other entries.
 */
class OptimizedGraphCacheTest {
    private static final PipelineRequest REQUEST = PipelineRequest.builder("a red circle on a blue background")
            .size(64, 64)
            .steps(3)
            .seed(5)
            .build();

    private static RuntimeSettings settings(Path cache, Map<String, String> options) {
        RuntimeSettings cpu = RuntimeSettings.cpuOnly();
        return new RuntimeSettings(
                cpu.providers(), new RuntimeSettings.CpuSettings(1, 0, options, cache), cpu.cuda(), cpu.tensorRt());
    }

    private static byte[] image(RuntimeSettings settings) {
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(TinyModels.sd(), settings)) {
            return pipeline.generate(REQUEST).images().getFirst().png();
        }
    }

    private static List<Path> graphs(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList();
        }
    }

    @Test
    void theFirstLoadWritesTheGraphsAndLaterLoadsOpenThem(@TempDir Path cache) throws IOException {
        byte[] uncached = image(settings(null, Map.of()));
        byte[] first = image(settings(cache, Map.of()));
        List<Path> written = graphs(cache);
        assertEquals(4, written.size(), "text encoder, UNet, VAE decoder and encoder: " + written);
        try (Stream<Path> files = Files.list(cache)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".partial")), "no entry left half-written");
        }
        FileTime before = Files.getLastModifiedTime(written.getFirst());
        Files.setLastModifiedTime(written.getFirst(), FileTime.fromMillis(before.toMillis() - 60_000));
        byte[] second = image(settings(cache, Map.of()));
        assertEquals(written, graphs(cache));
        assertEquals(
                before.toMillis() - 60_000,
                Files.getLastModifiedTime(written.getFirst()).toMillis(),
                "the second load opened the entry, it did not write it again");
        assertArrayEquals(uncached, first);
        assertArrayEquals(uncached, second);
    }

    @Test
    void anEntryOrtCannotOpenIsWrittenAgain(@TempDir Path cache) throws IOException {
        byte[] expected = image(settings(cache, Map.of()));
        for (Path graph : graphs(cache)) {
            Files.write(graph, new byte[] {1, 2, 3});
        }
        assertArrayEquals(expected, image(settings(cache, Map.of())));
        for (Path graph : graphs(cache)) {
            assertTrue(Files.size(graph) > 3, graph + " written again");
        }
    }

    @Test
    void otherSessionOptionsGetOtherEntries(@TempDir Path cache) {
        Path unet = TinyModels.sd().resolve("unet").resolve("model.onnx");
        var graphCache = new OptimizedGraphCache(cache);
        assertNotEquals(
                graphCache.entry("unet", unet, Map.of()),
                graphCache.entry("unet", unet, Map.of("graph_optimization_level", "BASIC_OPT")));
        assertEquals(graphCache.entry("unet", unet, Map.of()), graphCache.entry("unet", unet, Map.of()));
    }
}
