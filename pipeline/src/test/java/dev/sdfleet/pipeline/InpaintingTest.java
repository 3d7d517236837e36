package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.model.ModelFolder;
import dev.sdfleet.pipeline.runtime.OrtRuntime;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.ImageJudge;
import dev.sdfleet.pipeline.testing.InpaintingUnetFixture;
import dev.sdfleet.pipeline.testing.ShapeRenderer;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.pipeline.testing.TinyPipelineTest;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inpainting both ways Stable Diffusion does it: latent blending with the trained tiny model's ordinary UNet, and a
 * 9-channel inpainting UNet built in the diffusers layout ({@link InpaintingUnetFixture}).
 */
class InpaintingTest extends TinyPipelineTest {
    /**
     * The stated tolerance for kept (unmasked) pixels with latent blending, 0..255 per channel: the mean absolute
     * difference from the init image at most this...
     */
    static final double KEPT_MEAN_TOLERANCE = 12;
    /** ... and 95 % of kept pixels (their largest channel difference) within this. */
    static final int KEPT_P95_TOLERANCE = 32;

    /** The hole: a 32x32 square in the middle, on the 8-pixel latent grid. */
    static final int HOLE_FROM = 16;

    static final int HOLE_TO = 48;

    static RgbImage holeMask() {
        byte[] pixels = new byte[64 * 64 * 3];
        for (int y = HOLE_FROM; y < HOLE_TO; y++) {
            Arrays.fill(pixels, (y * 64 + HOLE_FROM) * 3, (y * 64 + HOLE_TO) * 3, (byte) 255);
        }
        return new RgbImage(64, 64, pixels);
    }

    static RgbImage crop(RgbImage image, int from, int to) {
        int side = to - from;
        byte[] pixels = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            System.arraycopy(image.pixels(), ((y + from) * image.width() + from) * 3, pixels, y * side * 3, side * 3);
        }
        return new RgbImage(side, side, pixels);
    }

    /** The largest channel difference of each pixel, where {@code repainted} says so (or not). */
    static int[] differences(RgbImage a, RgbImage b, InpaintMask mask, boolean repainted) {
        return java.util.stream.IntStream.range(0, a.width() * a.height())
                .filter(i -> mask.repaints(i % a.width(), i / a.width()) == repainted)
                .map(i -> {
                    int d = 0;
                    for (int c = 0; c < 3; c++) {
                        d = Math.max(d, Math.abs((a.pixels()[3 * i + c] & 0xFF) - (b.pixels()[3 * i + c] & 0xFF)));
                    }
                    return d;
                })
                .sorted()
                .toArray();
    }

    @Test
    void blendingKeepsTheUnmaskedPixelsAndRepaintsTheHoleAsThePromptSays() {
        RgbImage init =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
        InpaintMask mask = InpaintMask.of(holeMask());
        assertEquals("orange", ImageJudge.judge(crop(init, HOLE_FROM, HOLE_TO)).colour(), "the hole starts orange");
        String prompt = "a small yellow circle in the middle, purple background";
        int yellow = 0;
        int images = 0;
        for (double strength : new double[] {0.8, 1.0}) {
            for (long seed = 1; seed <= 4; seed++) {
                GenerationResult result = pipeline.generate(PipelineRequest.builder(prompt)
                        .size(64, 64)
                        .steps(20)
                        .seed(seed)
                        .initImage(new InitImage(init, strength, mask))
                        .build());
                RgbImage out = result.images().getFirst().image();
                int[] kept = differences(init, out, mask, false);
                int[] hole = differences(init, out, mask, true);
                double keptMean = Arrays.stream(kept).average().orElseThrow();
                int keptP95 = kept[(int) (kept.length * 0.95)];
                double holeMean = Arrays.stream(hole).average().orElseThrow();
                ImageJudge.Verdict inHole = ImageJudge.judge(crop(out, HOLE_FROM, HOLE_TO));
                System.out.printf(
                        "blend strength %.1f seed %d: kept mean %.2f p95 %d max %d; hole mean %.1f; hole %s%n",
                        strength, seed, keptMean, keptP95, kept[kept.length - 1], holeMean, inHole);
                String what = "strength " + strength + " seed " + seed;
                assertTrue(keptMean <= KEPT_MEAN_TOLERANCE, what + ": kept mean difference " + keptMean);
                assertTrue(keptP95 <= KEPT_P95_TOLERANCE, what + ": kept 95th percentile difference " + keptP95);
                assertTrue(holeMean > 20, what + ": the hole hardly changed (" + holeMean + ")");
                assertEquals("purple", inHole.background(), what);
                yellow += inHole.colour().equals("yellow") ? 1 : 0;
                images++;
            }
        }
        assertTrue(yellow >= images - 2, yellow + " of " + images + " holes show a yellow shape");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"pndm", "ddim", "euler", "euler_a", "lms", "dpmpp_2m", "dpmpp_2m_karras"})
    void blendingWorksWithEveryScheduler(String scheduler) {
        // Variance-preserving and sigma schedulers noise the kept latents differently (add_noise of each).
        RgbImage init =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
        InpaintMask mask = InpaintMask.of(holeMask());
        RgbImage out = pipeline.generate(
                        PipelineRequest.builder("a small yellow circle in the middle, purple background")
                                .size(64, 64)
                                .steps(20)
                                .seed(1)
                                .scheduler(scheduler)
                                .initImage(new InitImage(init, 0.8, mask))
                                .build())
                .images()
                .getFirst()
                .image();
        double kept =
                Arrays.stream(differences(init, out, mask, false)).average().orElseThrow();
        double hole =
                Arrays.stream(differences(init, out, mask, true)).average().orElseThrow();
        System.out.printf("blend %s: kept mean %.2f, hole mean %.1f%n", scheduler, kept, hole);
        assertTrue(kept <= KEPT_MEAN_TOLERANCE, scheduler + ": kept mean " + kept);
        assertTrue(hole > 20, scheduler + ": hole mean " + hole);
    }

    @Test
    void blendingKeepsMoreThanImg2imgEvenAgainstThePrompt() {
        // The control: img2img at full strength (no mask) redraws the whole image, blending keeps the unmasked part.
        // The prompt contradicts the kept part (blue, not purple), so the hole's content reaches across the mask's
        // edge: the tolerance above holds for prompts that agree with what is kept, not for this one.
        RgbImage init =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "purple", "center", "small", 0, 0));
        InpaintMask mask = InpaintMask.of(holeMask());
        String prompt = "a large yellow circle in the middle, blue background";
        RgbImage blended = generate(prompt, new InitImage(init, 1.0, mask));
        RgbImage redrawn = generate(prompt, new InitImage(init, 1.0));
        double blendedKept =
                Arrays.stream(differences(init, blended, mask, false)).average().orElseThrow();
        double redrawnKept =
                Arrays.stream(differences(init, redrawn, mask, false)).average().orElseThrow();
        System.out.printf(
                "contradicting prompt: kept mean difference %.2f blended, %.2f redrawn%n", blendedKept, redrawnKept);
        assertTrue(redrawnKept > 2 * blendedKept, redrawnKept + " vs " + blendedKept);
        assertEquals("purple", ImageJudge.judge(blended).background());
        assertEquals("blue", ImageJudge.judge(redrawn).background());
    }

    private static RgbImage generate(String prompt, InitImage init) {
        return pipeline.generate(PipelineRequest.builder(prompt)
                        .size(64, 64)
                        .steps(20)
                        .seed(5)
                        .initImage(init)
                        .build())
                .images()
                .getFirst()
                .image();
    }

    @Test
    void masksReadAsDiffusersReadsThem() {
        byte[] pixels = new byte[16 * 8 * 3];
        // Column 0..7 of row 0: grey levels around half; the top-left pixel of the right block is white.
        int[] greys = {0, 127, 128, 255, 126, 200, 10, 129};
        for (int x = 0; x < 8; x++) {
            Arrays.fill(pixels, x * 3, x * 3 + 3, (byte) greys[x]);
        }
        Arrays.fill(pixels, 8 * 3, 8 * 3 + 3, (byte) 255);
        // A pure red pixel has luma 76: kept. Pure green 150: repainted.
        pixels[3 * 16] = (byte) 255;
        pixels[3 * 17 + 1] = (byte) 255;
        InpaintMask mask = InpaintMask.of(new RgbImage(16, 8, pixels));
        boolean[] expected = {false, false, true, true, false, true, false, true};
        for (int x = 0; x < 8; x++) {
            assertEquals(expected[x], mask.repaints(x, 0), "grey " + greys[x]);
        }
        assertFalse(mask.repaints(0, 1), "red");
        assertTrue(mask.repaints(1, 1), "green");
        assertEquals(6, mask.repaintedPixels());
        // Latent cells take their block's top-left pixel (torch's nearest interpolation).
        assertEquals(java.util.List.of(0f, 1f), boxed(mask.latent()));
        float[] masked = mask.maskedPixels(new RgbImage(16, 8, pixels));
        assertEquals(-1f, masked[0], "black kept: -1");
        assertEquals(0f, masked[3], "repainted: 0");
        assertEquals(0f, InpaintMask.everything(16, 8).maskedPixels(new RgbImage(16, 8, pixels))[0]);
    }

    private static java.util.List<Float> boxed(float[] values) {
        java.util.List<Float> list = new java.util.ArrayList<>();
        for (float v : values) {
            list.add(v);
        }
        return list;
    }

    @Test
    void anInpaintingUnetGetsLatentsMaskAndMaskedImageInDiffusersOrder(@TempDir Path dir) throws Exception {
        InpaintingUnetFixture.Weights weights = InpaintingUnetFixture.Weights.random(11);
        Path model = InpaintingUnetFixture.build(dir.resolve("inpaint"), weights);
        assertEquals(9, ModelFolder.open(model).geometry().unetInputChannels(), "TensorRT profiles: 9 channels");
        assertEquals(4, ModelFolder.open(model).geometry().latentChannels());
        RgbImage init =
                ShapeRenderer.render(new ShapeRenderer.Scene("triangle", "white", "blue", "center", "large", 0, 0));
        RgbImage maskImage = holeMask();
        PipelineRequest request = PipelineRequest.builder("a red circle")
                .size(64, 64)
                .steps(10)
                .seed(3)
                .initImage(new InitImage(init, 1.0, InpaintMask.of(maskImage)))
                .build();
        RgbImage inpainted;
        try (DiffusionPipeline nine = DiffusionPipeline.load(model, RuntimeSettings.cpuOnly())) {
            assertTrue(nine.info().components().stream()
                    .filter(c -> c.name().equals("unet"))
                    .flatMap(c -> c.inputs().stream())
                    .anyMatch(s -> s.name().equals("sample") && s.dim(1) == 9));
            inpainted = nine.generate(request).images().getFirst().image();
        }

        // The reference, computed without the pipeline: the mask at latent size, the masked image encoded by the
        // VAE encoder directly, both folded through the 9-channel weights into a 4-channel UNet's constant.
        float scaling = ModelFolder.open(model).vaeScalingFactor();
        float[] maskLatent = new float[64];
        float[] maskedPixels = new float[3 * 64 * 64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean hole = x >= HOLE_FROM && x < HOLE_TO && y >= HOLE_FROM && y < HOLE_TO;
                if (x % 8 == 0 && y % 8 == 0) {
                    maskLatent[(y / 8) * 8 + x / 8] = hole ? 1 : 0;
                }
                for (int c = 0; c < 3; c++) {
                    int v = init.pixels()[(y * 64 + x) * 3 + c] & 0xFF;
                    maskedPixels[c * 4096 + y * 64 + x] = hole ? 0 : v / 127.5f - 1;
                }
            }
        }
        float[] maskedLatents = encodeDirectly(model.resolve("vae_encoder/model.onnx"), maskedPixels);
        for (int i = 0; i < maskedLatents.length; i++) {
            maskedLatents[i] *= scaling;
        }
        float[][] diffusersOrder = new float[5][];
        diffusersOrder[0] = maskLatent;
        float[][] swapped = new float[5][];
        swapped[4] = maskLatent;
        for (int k = 0; k < 4; k++) {
            diffusersOrder[1 + k] = Arrays.copyOfRange(maskedLatents, k * 64, (k + 1) * 64);
            swapped[k] = diffusersOrder[1 + k];
        }
        RgbImage reference = textToImageWithFoldedUnet(dir.resolve("folded"), model, weights, diffusersOrder);
        RgbImage wrongOrder = textToImageWithFoldedUnet(dir.resolve("swapped"), model, weights, swapped);

        int difference = GenerationTest.maxDifference(inpainted, reference);
        int wrong = GenerationTest.maxDifference(inpainted, wrongOrder);
        System.out.printf(
                "9-channel vs folded reference: max pixel difference %d (wrong order: %d)%n", difference, wrong);
        assertTrue(difference <= 2, "the 9-channel run differs from the reference by " + difference);
        assertTrue(wrong > 20, "the check cannot tell the channel order apart (" + wrong + ")");
    }

    /** Text-to-image (same noise as a full-strength inpainting) with the 4-channel counterpart of the UNet. */
    private static RgbImage textToImageWithFoldedUnet(
            Path dir, Path model, InpaintingUnetFixture.Weights weights, float[][] extraChannels) throws Exception {
        TinyModels.copyTree(model, dir);
        float[] constant = new float[4 * 64];
        for (int o = 0; o < 4; o++) {
            for (int p = 0; p < 64; p++) {
                float sum = 0;
                for (int k = 0; k < 5; k++) {
                    sum += weights.weight(o, 4 + k) * extraChannels[k][p];
                }
                constant[o * 64 + p] = sum;
            }
        }
        InpaintingUnetFixture.writeFoldedUnet(dir, weights, constant, 8, 8);
        try (DiffusionPipeline four = DiffusionPipeline.load(dir, RuntimeSettings.cpuOnly())) {
            return four.generate(PipelineRequest.builder("a red circle")
                            .size(64, 64)
                            .steps(10)
                            .seed(3)
                            .build())
                    .images()
                    .getFirst()
                    .image();
        }
    }

    private static float[] encodeDirectly(Path encoder, float[] chw) throws Exception {
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession session = env.createSession(encoder.toString());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[] {1, 3, 64, 64});
                OrtSession.Result result = session.run(Map.of("sample", input))) {
            float[][][][] out = (float[][][][]) result.get(0).getValue();
            float[] latents = new float[4 * 64];
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        latents[c * 64 + y * 8 + x] = out[0][c][y][x];
                    }
                }
            }
            return latents;
        }
    }

    @Test
    void anInpaintingUnetIsSteeredByTheMaskAndTheImageAndServesEveryRequestKind(@TempDir Path dir) throws Exception {
        Path model = InpaintingUnetFixture.build(dir, InpaintingUnetFixture.Weights.random(5));
        RgbImage triangle =
                ShapeRenderer.render(new ShapeRenderer.Scene("triangle", "white", "blue", "center", "large", 0, 0));
        RgbImage square =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "red", "green", "left", "small", 0, 0));
        InpaintMask hole = InpaintMask.of(holeMask());
        InpaintMask everything = InpaintMask.everything(64, 64);
        try (DiffusionPipeline nine = DiffusionPipeline.load(model, RuntimeSettings.cpuOnly())) {
            RgbImage a = inpaint(nine, new InitImage(triangle, 1.0, hole));
            assertNotEquals(a, inpaint(nine, new InitImage(triangle, 1.0, everything)), "the mask matters");
            assertNotEquals(a, inpaint(nine, new InitImage(square, 1.0, hole)), "the kept image matters");
            GenerationResult partial = nine.generate(PipelineRequest.builder("a red circle")
                    .size(64, 64)
                    .steps(10)
                    .seed(3)
                    .initImage(new InitImage(triangle, 0.5, hole))
                    .build());
            assertEquals(6, partial.timings().unetCalls(), "strength 0.5 of 10 PNDM steps: 5 + the repeat");
            // Without a mask (img2img) and without an image (text-to-image) the whole image is the hole.
            assertEquals(
                    1,
                    nine.generate(PipelineRequest.builder("a red circle")
                                    .size(64, 64)
                                    .steps(4)
                                    .build())
                            .images()
                            .size());
            assertEquals(
                    inpaint(nine, new InitImage(triangle, 1.0, everything)),
                    inpaint(nine, new InitImage(triangle, 1.0)));
        }
    }

    private static RgbImage inpaint(DiffusionPipeline p, InitImage init) {
        return p.generate(PipelineRequest.builder("a red circle")
                        .size(64, 64)
                        .steps(10)
                        .seed(3)
                        .initImage(init)
                        .build())
                .images()
                .getFirst()
                .image();
    }
}
