package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: exit codes, what it prints, the files it writes. */
class CliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String tinyModel() {
        return TinyModels.sd().toString();
    }

    @Test
    void generateWritesAPngWithItsParameters(@TempDir Path out) throws Exception {
        Run r = run(
                "generate",
                "--model",
                tinyModel(),
                "--out",
                out.toString(),
                "--seed",
                "9",
                "--n",
                "2",
                "a red circle on a blue background");
        assertEquals(0, r.exit(), r.err());
        String[] files = r.out().strip().split("\n");
        assertEquals(2, files.length, r.out());
        byte[] png = Files.readAllBytes(Path.of(files[1]));
        assertEquals(64, PngDecoder.decode(png).width());
        assertEquals("10", PngDecoder.textChunks(png).get("seed"));
        assertTrue(r.err().contains("outside ONNX Runtime"), r.err());
    }

    @Test
    void tokenizePrintsOneJsonLinePerPrompt() throws Exception {
        Run r = run("tokenize", "--tokenizer", tinyModel(), "a red circle", "x ".repeat(200));
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length);
        JsonNode first = JSON.readTree(lines[0]);
        assertEquals(77, first.get("input_ids").size());
        assertEquals(false, first.get("truncated").asBoolean());
        assertEquals(true, JSON.readTree(lines[1]).get("truncated").asBoolean());
    }

    @Test
    void tokenizeReadsTheRealClipVocabulary() throws Exception {
        Path clip = Path.of(System.getProperty("sdfleet.repo.root", "..")).resolve("../shared/conformance/clip");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(clip), "../shared is not present");
        Run r = run("tokenize", "--tokenizer", clip.toString(), "a photo of a cat");
        assertEquals(0, r.exit(), r.err());
        List<Integer> ids = new ArrayList<>();
        JSON.readTree(r.out()).get("input_ids").forEach(n -> ids.add(n.asInt()));
        assertEquals(List.of(49406, 320, 1125, 539, 320, 2368, 49407), ids.subList(0, 7));
    }

    @Test
    void infoNamesTheFamilyComponentsAndProvider() {
        Run r = run("info", "--model", TinyModels.sdxl().toString(), "--providers", "cuda,cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("family     sdxl"), r.out());
        assertTrue(r.out().contains("text_encoder_2"), r.out());
        assertTrue(r.out().contains("provider cpu"), r.out());
        assertTrue(r.out().contains("in   time_ids"), r.out());
    }

    @Test
    void badInputIsExitCode2WithTheFieldNamed() {
        Run width = run("generate", "--model", tinyModel(), "--width", "500", "x");
        assertEquals(2, width.exit());
        assertTrue(width.err().contains("width"), width.err());
        Run scheduler = run("generate", "--model", tinyModel(), "--scheduler", "nope", "x");
        assertEquals(2, scheduler.exit());
        assertTrue(scheduler.err().contains("scheduler"), scheduler.err());
        assertEquals(
                2,
                run("generate", "--model", tinyModel(), "--steps", "many", "x").exit());
        assertEquals(2, run("generate", "--bogus", "x").exit());
        assertEquals(2, run("frobnicate").exit());
        assertEquals(2, run("generate", "--model", "/nonexistent", "x").exit());
        assertEquals(
                2, run("info", "--model", tinyModel(), "--providers", "warp").exit());
    }
}
