package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.ImageJudge;
import dev.sdfleet.pipeline.testing.ShapeRenderer;
import dev.sdfleet.pipeline.testing.TinyModels;
import dev.sdfleet.pipeline.testing.TinyPipelineTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text-to-image (and img2img) on the trained tiny model, end to end through ONNX Runtime. */
class GenerationTest extends TinyPipelineTest {
    static final String PROMPT = "a red circle on a blue background";

    static PipelineRequest.Builder tiny(String... prompts) {
        return PipelineRequest.builder(prompts)
                .size(64, 64)
                .steps(20)
                .guidance(7.5)
                .seed(7);
    }

    @Test
    void sameRequestGivesIdenticalPngBytes() {
        GenerationResult a = pipeline.generate(tiny(PROMPT).build());
        GenerationResult b = pipeline.generate(tiny(PROMPT).build());
        assertArrayEquals(a.images().getFirst().png(), b.images().getFirst().png());
        RgbImage image = PngDecoder.decode(a.images().getFirst().png());
        assertEquals(64, image.width());
        assertEquals(64, image.height());
    }

    @Test
    void pngCarriesTheGenerationParameters() {
        GeneratedImage image = pipeline.generate(
                        tiny(PROMPT).negativePrompt("green").seed(1234).build())
                .images()
                .getFirst();
        Map<String, String> text = PngDecoder.textChunks(image.png());
        assertEquals(PROMPT, text.get("prompt"));
        assertEquals("green", text.get("negative_prompt"));
        assertEquals("1234", text.get("seed"));
        assertEquals("20", text.get("steps"));
        assertEquals("7.5", text.get("guidance"));
        assertEquals("64x64", text.get("size"));
        assertEquals("tiny-sd", text.get("model"));
        assertEquals("pndm", text.get("scheduler"));
    }

    @Test
    void drawsWhatThePromptSays() {
        // One image can miss (the model is 92-93 % right on colours, models/README.md): judge eight, two prompts x four
        // seeds, and ask for a clear majority on each attribute.
        List<String[]> expected = List.of(
                new String[] {"a yellow square on a purple background", "yellow", "purple"},
                new String[] {"small white triangle at the top, black background", "white", "black"});
        int colours = 0;
        int backgrounds = 0;
        for (String[] e : expected) {
            GenerationResult result =
                    pipeline.generate(tiny(e[0]).imagesPerPrompt(4).seed(3).build());
            for (GeneratedImage image : result.images()) {
                var verdict = ImageJudge.judge(image.image());
                colours += verdict.colour().equals(e[1]) ? 1 : 0;
                backgrounds += verdict.background().equals(e[2]) ? 1 : 0;
            }
        }
        System.out.printf("drawsWhatThePromptSays: shape colour %d/8, background %d/8%n", colours, backgrounds);
        assertTrue(colours >= 6, colours + " of 8 shape colours right");
        assertTrue(backgrounds >= 6, backgrounds + " of 8 backgrounds right");
    }

    @Test
    void anImageIsTheSameAloneOrInABatch() {
        RgbImage alone = pipeline.generate(tiny("a green square on a white background")
                        .seeds(List.of(11L))
                        .build())
                .images()
                .getFirst()
                .image();
        GenerationResult batch =
                pipeline.generate(tiny("a blue circle on a yellow background", "a green square on a white background")
                        .seeds(List.of(10L, 11L))
                        .build());
        assertTrue(
                maxDifference(alone, batch.images().get(1).image()) <= 2,
                "batched inference may differ only by rounding");
    }

    @Test
    void severalImagesPerPromptGetTheirOwnSeeds() {
        GenerationResult result =
                pipeline.generate(tiny(PROMPT).imagesPerPrompt(3).seed(100).build());
        assertEquals(3, result.images().size());
        assertEquals(
                List.of(100L, 101L, 102L),
                result.images().stream().map(GeneratedImage::seed).toList());
        assertFalse(result.images().get(0).image().equals(result.images().get(1).image()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pndm", "ddim", "euler", "euler_a", "lms", "dpmpp_2m", "dpmpp_2m_karras"})
    void everySchedulerDraws(String scheduler) {
        GenerationResult result =
                pipeline.generate(tiny(PROMPT).scheduler(scheduler).seed(5).build());
        var verdict = ImageJudge.judge(result.images().getFirst().image());
        assertEquals("blue", verdict.background(), scheduler + " background");
        assertEquals("red", verdict.colour(), scheduler + " shape colour");
    }

    @Test
    void latentSizesNeedNotBeEven() {
        GeneratedImage image =
                pipeline.generate(tiny(PROMPT).size(72, 48).build()).images().getFirst();
        assertEquals(72, image.image().width());
        assertEquals(48, image.image().height());
    }

    @Test
    void progressIsReportedForEveryUnetCall() {
        List<int[]> calls = new ArrayList<>();
        pipeline.generate(
                tiny(PROMPT).build(), (step, total) -> calls.add(new int[] {step, total}), Cancellation.none());
        assertEquals(21, calls.size(), "PNDM with skip_prk_steps evaluates the UNet N+1 times");
        assertArrayEquals(new int[] {21, 21}, calls.getLast());
    }

    @Test
    void cancellationStopsTheLoopAndThePipelineStaysUsable() {
        Cancellation cancellation = new Cancellation();
        List<Integer> steps = new ArrayList<>();
        assertThrows(
                GenerationCancelledException.class,
                () -> pipeline.generate(
                        tiny(PROMPT).build(),
                        (step, total) -> {
                            steps.add(step);
                            if (step == 3) {
                                cancellation.cancel();
                            }
                        },
                        cancellation));
        assertEquals(3, steps.size());
        assertEquals(1, pipeline.generate(tiny(PROMPT).build()).images().size());
    }

    @Test
    void guidanceNegativePromptAndRescaleChangeTheImage() {
        RgbImage plain =
                pipeline.generate(tiny(PROMPT).build()).images().getFirst().image();
        RgbImage negative = pipeline.generate(
                        tiny(PROMPT).negativePrompt("red circle").build())
                .images()
                .getFirst()
                .image();
        RgbImage rescaled = pipeline.generate(tiny(PROMPT).guidanceRescale(0.7).build())
                .images()
                .getFirst()
                .image();
        RgbImage unguided = pipeline.generate(tiny(PROMPT).guidance(1.0).build())
                .images()
                .getFirst()
                .image();
        assertNotEquals(plain, negative);
        assertNotEquals(plain, rescaled);
        assertNotEquals(plain, unguided);
    }

    @Test
    void img2imgKeepsTheImageAtLowStrength() {
        // The start image is a ground-truth render, so what it shows is known. Another prompt: at strength 0.3 the
        // start image's composition wins, at 1.0 the prompt does.
        RgbImage start =
                ShapeRenderer.render(new ShapeRenderer.Scene("square", "orange", "green", "center", "large", 0, 0));
        String other = "a small blue circle on the left, yellow background";
        GenerationResult low = pipeline.generate(
                tiny(other).initImage(new InitImage(start, 0.3)).seed(22).build());
        RgbImage kept = low.images().getFirst().image();
        RgbImage redrawn = pipeline.generate(tiny(other)
                        .initImage(new InitImage(start, 1.0))
                        .seed(22)
                        .build())
                .images()
                .getFirst()
                .image();
        assertEquals(7, low.timings().unetCalls(), "strength 0.3 of 20 steps runs the last 6 (+1 PNDM repeat)");
        ImageJudge.Verdict keptVerdict = ImageJudge.judge(kept);
        assertEquals(
                List.of("green", "orange"),
                List.of(keptVerdict.background(), keptVerdict.colour()),
                keptVerdict.toString());
        ImageJudge.Verdict redrawnVerdict = ImageJudge.judge(redrawn);
        assertNotEquals(
                List.of("green", "orange"),
                List.of(redrawnVerdict.background(), redrawnVerdict.colour()),
                redrawnVerdict.toString());
        double keptDifference = meanDifference(start, kept);
        double redrawnDifference = meanDifference(start, redrawn);
        assertTrue(keptDifference < redrawnDifference / 2, keptDifference + " vs " + redrawnDifference);
    }

    @Test
    void providerListFallsThroughToTheCpu() {
        var settings = RuntimeSettings.cpuOnly().withProviders(ExecutionProvider.parseList("tensorrt,cuda,cpu"));
        try (DiffusionPipeline p = DiffusionPipeline.load(TinyModels.sd(), settings)) {
            p.info().components().forEach(c -> assertEquals("cpu", c.provider(), c.name()));
            assertEquals(1, p.generate(tiny(PROMPT).steps(2).build()).images().size());
        }
    }

    static int maxDifference(RgbImage a, RgbImage b) {
        int max = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            max = Math.max(max, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
        }
        return max;
    }

    static double meanDifference(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            sum += Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF));
        }
        return (double) sum / a.pixels().length;
    }
}
