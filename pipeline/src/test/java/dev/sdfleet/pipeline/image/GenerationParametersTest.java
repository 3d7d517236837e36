package dev.sdfleet.pipeline.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationParametersTest {

    private static GenerationParameters parameters(String negative, double guidance) {
        return new GenerationParameters(
                "a red circle on a white background", negative, 42L, 20, "pndm", guidance, 64, 48, "tiny-sd");
    }

    @Test
    void textChunksHaveFixedKeysOrderAndValues() {
        Map<String, String> chunks = parameters("blurry", 7.5).asTextChunks();
        assertEquals(
                List.of(
                        "prompt",
                        "negative_prompt",
                        "seed",
                        "steps",
                        "scheduler",
                        "guidance",
                        "size",
                        "model",
                        "parameters"),
                List.copyOf(chunks.keySet()));
        assertEquals("a red circle on a white background", chunks.get("prompt"));
        assertEquals("blurry", chunks.get("negative_prompt"));
        assertEquals("42", chunks.get("seed"));
        assertEquals("20", chunks.get("steps"));
        assertEquals("pndm", chunks.get("scheduler"));
        assertEquals("7.5", chunks.get("guidance"));
        assertEquals("64x48", chunks.get("size"));
        assertEquals("tiny-sd", chunks.get("model"));
        assertEquals(
                "a red circle on a white background\nNegative prompt: blurry\n"
                        + "Steps: 20, Sampler: pndm, CFG scale: 7.5, Seed: 42, Size: 64x48, Model: tiny-sd",
                chunks.get("parameters"));
    }

    @Test
    void withoutNegativePromptTheParametersLineIsLeftOutAsA1111Does() {
        GenerationParameters none = parameters(null, 1.0);
        assertEquals("", none.negativePrompt());
        Map<String, String> chunks = none.asTextChunks();
        assertEquals("", chunks.get("negative_prompt"));
        assertEquals(
                "a red circle on a white background\n"
                        + "Steps: 20, Sampler: pndm, CFG scale: 1.0, Seed: 42, Size: 64x48, Model: tiny-sd",
                chunks.get("parameters"));
        assertEquals(chunks, parameters("", 1.0).asTextChunks());
    }

    @Test
    void guidanceHasNoSpuriousDigitsAndNoExponent() {
        assertEquals("7.5", GenerationParameters.formatGuidance(7.5));
        assertEquals("1.0", GenerationParameters.formatGuidance(1.0));
        assertEquals("0.0", GenerationParameters.formatGuidance(0.0));
        assertEquals("0.0", GenerationParameters.formatGuidance(-0.0));
        assertEquals("12.0", GenerationParameters.formatGuidance(12));
        assertEquals("0.1", GenerationParameters.formatGuidance(0.1));
        assertEquals("0.30000000000000004", GenerationParameters.formatGuidance(0.1 + 0.2)); // Python repr agrees
        assertEquals("0.00001", GenerationParameters.formatGuidance(1e-5));
        assertEquals("20000000.0", GenerationParameters.formatGuidance(2e7));
        assertEquals("-3.25", GenerationParameters.formatGuidance(-3.25));
        assertEquals("7.5", GenerationParameters.formatGuidance((float) 7.5)); // a float widened stays short
    }

    @Test
    void negativeSeedsAndValidation() {
        GenerationParameters p = new GenerationParameters("x", "", -1L, 1, "ddim", 7, 8, 8, "m");
        assertEquals("-1", p.asTextChunks().get("seed"));
        assertThrows(IllegalArgumentException.class, () -> parameters("", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> parameters("", Double.POSITIVE_INFINITY));
        assertThrows(
                IllegalArgumentException.class, () -> new GenerationParameters("x", "", 1, 0, "ddim", 7, 8, 8, "m"));
        assertThrows(
                IllegalArgumentException.class, () -> new GenerationParameters("x", "", 1, 1, "ddim", 7, 0, 8, "m"));
        assertThrows(NullPointerException.class, () -> new GenerationParameters(null, "", 1, 1, "ddim", 7, 8, 8, "m"));
    }
}
