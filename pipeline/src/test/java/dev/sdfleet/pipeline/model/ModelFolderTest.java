package dev.sdfleet.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.runtime.MissingComponentException;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    @Test
    void shippedModelsStayWithinTheirSizeBudgets() throws IOException {
        // Issue 2: the trained model's files at most 25 MB, each random-weight fixture at most 5 MB (the evaluation
        // folder holds test data, not the model).
        assertWithin(TinyModels.sd(), 25_000_000L);
        assertWithin(TinyModels.sd2(), 5_000_000L);
        assertWithin(TinyModels.sdxl(), 5_000_000L);
    }

    static void assertWithin(Path folder, long limit) throws IOException {
        long bytes = modelBytes(folder);
        assertTrue(bytes <= limit, folder + ": " + bytes + " bytes, more than " + limit);
    }

    static long modelBytes(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !folder.relativize(f).startsWith("evaluation"))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    @Test
    void detectsTheFamilyOfEachShippedModel() {
        ModelFolder sd = ModelFolder.open(TinyModels.sd());
        assertEquals(ModelFamily.SD1, sd.family());
        assertNull(sd.textEncoder2());
        assertNotNull(sd.vaeEncoder());
        assertFalse(sd.forceZerosForEmptyPrompt());
        assertTrue(sd.vaeScalingFactor() > 0.1f && sd.vaeScalingFactor() < 5f, "scaling factor from vae config");
        assertEquals(4, sd.geometry().latentChannels());
        assertEquals(64, sd.geometry().contextDim());

        ModelFolder sd2 = ModelFolder.open(TinyModels.sd2());
        assertEquals(ModelFamily.SD2, sd2.family(), "pad token '!' marks SD 2.x");

        ModelFolder xl = ModelFolder.open(TinyModels.sdxl());
        assertEquals(ModelFamily.SDXL, xl.family());
        assertNotNull(xl.textEncoder2());
        assertNotNull(xl.tokenizer2());
        assertTrue(xl.forceZerosForEmptyPrompt());
        assertEquals(0.13025f, xl.vaeScalingFactor(), 1e-6f);
        assertEquals(48, xl.geometry().textEmbedsDim());
    }

    @Test
    void aMissingUnetIsNamed(@TempDir Path tmp) throws IOException {
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("broken"));
        Files.delete(copy.resolve("unet/model.onnx"));
        MissingComponentException e = assertThrows(MissingComponentException.class, () -> ModelFolder.open(copy));
        assertEquals("unet", e.component());
        assertTrue(e.getMessage().contains("unet/model.onnx"), e.getMessage());
    }

    @Test
    void aMissingTokenizerOrSchedulerConfigIsNamed(@TempDir Path tmp) throws IOException {
        Path copy = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("broken"));
        Files.delete(copy.resolve("tokenizer/merges.txt"));
        assertEquals(
                "tokenizer",
                assertThrows(MissingComponentException.class, () -> ModelFolder.open(copy))
                        .component());

        Path copy2 = TinyModels.copyTree(TinyModels.sd(), tmp.resolve("broken2"));
        Files.delete(copy2.resolve("scheduler/scheduler_config.json"));
        assertEquals(
                "scheduler",
                assertThrows(MissingComponentException.class, () -> ModelFolder.open(copy2))
                        .component());
    }

    @Test
    void aFolderThatDoesNotExistIsAClearError(@TempDir Path tmp) {
        var e = assertThrows(MissingComponentException.class, () -> ModelFolder.open(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
