package dev.sdfleet.pipeline.image;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What produced an image, written into its PNG as text chunks so that the file alone tells how to reproduce it.
 *
 * @param prompt         the prompt text
 * @param negativePrompt the negative prompt; {@code null} is taken as {@code ""} (none)
 * @param seed           the noise seed
 * @param steps          the number of inference steps, at least 1
 * @param scheduler      scheduler name, e.g. {@code "pndm"}
 * @param guidance       classifier-free guidance scale; must be finite
 * @param width          image width in pixels, at least 1
 * @param height         image height in pixels, at least 1
 * @param model          model name or id
 */
public record GenerationParameters(
        String prompt,
        String negativePrompt,
        long seed,
        int steps,
        String scheduler,
        double guidance,
        int width,
        int height,
        String model) {

    public GenerationParameters {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(model, "model");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (!Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite, got " + guidance);
        }
        if (steps < 1 || width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    "steps, width and height must be positive, got " + steps + ", " + width + "x" + height);
        }
    }

    /**
     * The PNG text chunks, in this order: {@code prompt}, {@code negative_prompt}, {@code seed}, {@code steps},
     * {@code scheduler}, {@code guidance}, {@code size} ({@code "WxH"}), {@code model}, and {@code parameters}, the
     * AUTOMATIC1111 web UI's summary that many image viewers and tools read:
     * <pre>
     * a red circle
     * Negative prompt: blurry
     * Steps: 20, Sampler: pndm, CFG scale: 7.5, Seed: 42, Size: 64x64, Model: tiny-sd
     * </pre>
     * As in that UI, the {@code Negative prompt} line is left out when there is no negative prompt.
     *
     * @return a new mutable map with a fixed iteration order
     */
    public Map<String, String> asTextChunks() {
        String guidanceText = formatGuidance(guidance);
        String size = width + "x" + height;
        Map<String, String> chunks = new LinkedHashMap<>();
        chunks.put("prompt", prompt);
        chunks.put("negative_prompt", negativePrompt);
        chunks.put("seed", Long.toString(seed));
        chunks.put("steps", Integer.toString(steps));
        chunks.put("scheduler", scheduler);
        chunks.put("guidance", guidanceText);
        chunks.put("size", size);
        chunks.put("model", model);
        chunks.put(
                "parameters",
                prompt
                        + (negativePrompt.isEmpty() ? "" : "\nNegative prompt: " + negativePrompt)
                        + "\nSteps: " + steps + ", Sampler: " + scheduler + ", CFG scale: " + guidanceText + ", Seed: "
                        + seed
                        + ", Size: " + size + ", Model: " + model);
        return chunks;
    }

    /**
     * The shortest decimal that reads back as the same double, never in exponent form, with at least one fractional
     * digit: 7.5 -> "7.5", 1 -> "1.0", 0.1 -> "0.1" (not 0.1000000000000000055...), 1e-5 -> "0.00001".
     */
    static String formatGuidance(double value) {
        // Double.toString gives the shortest round-tripping digits (JDK 19+), but switches to exponent form
        // below 1e-3 and from 1e7; BigDecimal re-renders those digits plainly.
        String plain =
                new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
