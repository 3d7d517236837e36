package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.IncompatibleModelException;
import dev.sdfleet.pipeline.runtime.MissingComponentException;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.pipeline.testing.TinyPipelineTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests and bad model folders give errors that name what is wrong, and never break the pipeline. */
class BadInputTest extends TinyPipelineTest {
    static void assertField(String field, Executable call) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, call);
        assertEquals(field, e.field(), e.getMessage());
    }

    @Test
    void eachBadFieldIsNamed() {
        assertField("width", () -> PipelineRequest.builder("x").size(500, 64).build());
        assertField("height", () -> PipelineRequest.builder("x").size(64, 0).build());
        assertField("steps", () -> PipelineRequest.builder("x").steps(0).build());
        assertField(
                "guidance",
                () -> PipelineRequest.builder("x").guidance(Double.NaN).build());
        assertField(
                "guidance",
                () -> PipelineRequest.builder("x")
                        .guidance(Double.POSITIVE_INFINITY)
                        .build());
        assertField(
                "guidance_rescale",
                () -> PipelineRequest.builder("x").guidanceRescale(2).build());
        assertField("n", () -> PipelineRequest.builder("x").imagesPerPrompt(17).build());
        assertField("seed", () -> PipelineRequest.builder("x").seed(-1).build());
        assertField("seed", () -> PipelineRequest.builder("x").seed(1L << 32).build());
        assertField("prompt", () -> PipelineRequest.builder().build());
        assertField("strength", () -> new InitImage(new RgbImage(8, 8, new byte[8 * 8 * 3]), 0));
        assertField(
                "init_image",
                () -> PipelineRequest.builder("x")
                        .size(64, 64)
                        .initImage(new InitImage(new RgbImage(8, 8, new byte[8 * 8 * 3]), 0.5))
                        .build());
    }

    @Test
    void anUnknownSchedulerListsTheKnownOnes() {
        InvalidRequestException e = assertThrows(
                InvalidRequestException.class,
                () -> pipeline.generate(PipelineRequest.builder("x")
                        .size(64, 64)
                        .scheduler("warp-drive")
                        .seed(1)
                        .build()));
        assertEquals("scheduler", e.field());
        assertTrue(e.getMessage().contains("euler"), e.getMessage());
    }

    @Test
    void aTenThousandCharacterPromptIsTruncatedWithAWarning() {
        String prompt = "a red circle on a blue background " + "with many more words ".repeat(480);
        assertTrue(prompt.length() >= 10_000);
        GenerationResult result = pipeline.generate(
                PipelineRequest.builder(prompt).size(64, 64).steps(5).seed(1).build());
        assertEquals(1, result.images().size());
        assertEquals(1, result.warnings().size());
        assertTrue(
                result.warnings().getFirst().contains("truncated"),
                result.warnings().getFirst());
        assertTrue(
                result.warnings().getFirst().contains("with many more words"), "the warning quotes the dropped text");
    }

    @Test
    void theModelStillWorksAfterBadRequests() {
        assertThrows(
                InvalidRequestException.class,
                () -> pipeline.generate(PipelineRequest.builder("x")
                        .size(64, 64)
                        .scheduler("nope")
                        .seed(1)
                        .build()));
        assertEquals(
                1,
                pipeline.generate(PipelineRequest.builder("x")
                                .size(64, 64)
                                .steps(3)
                                .seed(1)
                                .build())
                        .images()
                        .size());
    }

    @Test
    void aMissingUnetFileIsNamedAtLoad(@TempDir Path tmp) throws IOException {
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("m"));
        Files.delete(copy.resolve("unet/model.onnx"));
        var e = assertThrows(
                MissingComponentException.class, () -> DiffusionPipeline.load(copy, RuntimeSettings.cpuOnly()));
        assertEquals("unet", e.component());
    }

    @Test
    void aUnetThatDoesNotFitTheTextEncoderIsRefusedAtLoad(@TempDir Path tmp) throws IOException {
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("m"));
        // The SD 2.x fixture's UNet cross-attends to 32-wide embeddings; this text encoder gives 64.
        for (String f : List.of("model.onnx", "weights.pb")) {
            Files.copy(
                    TinyModels.sd2().resolve("unet").resolve(f),
                    copy.resolve("unet").resolve(f),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(copy.resolve("unet/model.onnx_data"));
        var e = assertThrows(
                IncompatibleModelException.class, () -> DiffusionPipeline.load(copy, RuntimeSettings.cpuOnly()));
        assertTrue(e.getMessage().contains("64") && e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void aCorruptOnnxFileIsAClearError(@TempDir Path tmp) throws IOException {
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("m"));
        Files.writeString(copy.resolve("vae_decoder/model.onnx"), "not a model");
        var e = assertThrows(
                IllegalStateException.class, () -> DiffusionPipeline.load(copy, RuntimeSettings.cpuOnly()));
        assertTrue(e.getMessage().contains("vae_decoder"), e.getMessage());
    }
}
