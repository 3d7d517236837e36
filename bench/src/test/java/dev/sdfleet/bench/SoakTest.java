package dev.sdfleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The soak benchmark's short form, as CI runs it: a JVM with the worker's options makes 80 images at 256×256 with the
 * bundled model, and its RSS after image 80 must be within 5 % of its RSS after image 20. With the JVM's default heap
 * (what the worker had before {@code WorkerJvm}) the same run grew 8.7 % (418 to 454 MiB) and this failed; it is a
 * memory check, not a timing one.
 */
class SoakTest {
    @Test
    void aWorkerJvmsMemoryLevelsOff() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchMain.run(
                List.of(
                        "soak",
                        "--model",
                        TinyModels.sd().toString(),
                        "--runs",
                        "80",
                        "--at",
                        "20",
                        "--every",
                        "10",
                        "--size",
                        "256x256",
                        "--steps",
                        "1"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report + err.toString(StandardCharsets.UTF_8));
        JsonNode json = new ObjectMapper()
                .readTree(report.lines()
                        .filter(l -> l.startsWith("{"))
                        .findFirst()
                        .orElseThrow());
        JsonNode byImage = json.at("/figures/worker_rss_kib_by_image");
        assertEquals(8, byImage.size(), byImage.toString());
        assertTrue(json.at("/figures/worker_growth_pct").asDouble() <= 5.0, report);
    }
}
