package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cap on images per UNet call, on the bundled model: a request for more images runs as several calls of at most
 * the cap (counted in UNet evaluations), gives each image exactly as a request of that image alone would, keeps the
 * images' order and indices, and reports progress over the whole request.
 */
class ImagesPerCallTest {
    private static final int STEPS = 3;

    private static PipelineRequest request(int n) {
        return PipelineRequest.builder("a red circle on a blue background", "a yellow square")
                .imagesPerPrompt(n)
                .size(64, 64)
                .steps(STEPS)
                .scheduler(dev.sdfleet.pipeline.scheduler.SchedulerKind.DDIM)
                .seed(7)
                .build();
    }

    @Test
    void moreImagesThanTheCapRunAsSeveralCallsWithTheSameImages() {
        PipelineRequest four = request(2); // 2 prompts x 2 images, prompt-major
        List<Integer> steps = new ArrayList<>();
        GenerationResult capped;
        try (DiffusionPipeline p = DiffusionPipeline.load(
                TinyModels.sd(), RuntimeSettings.cpuOnly().withMaxImagesPerCall(1))) {
            capped = p.generate(four, (step, total) -> steps.add(step * 100 + total), Cancellation.none());
        }
        assertEquals(4, capped.images().size());
        int perCall = capped.timings().unetCalls() / 4;
        assertEquals(4 * perCall, capped.timings().unetCalls(), "four calls of one image each");
        assertEquals(4 * perCall, steps.size());
        assertEquals(100 + 4 * perCall, steps.getFirst(), "progress counts over the whole request");
        assertEquals(4 * perCall * 100 + 4 * perCall, steps.getLast());

        try (DiffusionPipeline p = DiffusionPipeline.load(TinyModels.sd(), RuntimeSettings.cpuOnly())) {
            for (int i = 0; i < 4; i++) {
                GeneratedImage image = capped.images().get(i);
                assertEquals(i, image.index());
                assertEquals(four.seeds().get(i), image.seed());
                assertEquals(four.promptOf(i), image.prompt());
                GenerationResult alone = p.generate(four.slice(i, i + 1));
                assertArrayEquals(
                        alone.images().getFirst().png(), image.png(), "image " + i + " as if it were asked alone");
            }
        }
    }

    @Test
    void upToTheCapImagesShareOneCall() {
        try (DiffusionPipeline p = DiffusionPipeline.load(
                TinyModels.sd(), RuntimeSettings.cpuOnly().withMaxImagesPerCall(4))) {
            GenerationResult together = p.generate(request(2));
            GenerationResult one = p.generate(request(1).slice(0, 1));
            assertEquals(one.timings().unetCalls(), together.timings().unetCalls(), "one batched call per step");
        }
    }

    @Test
    void theCapIsAtLeastOne() {
        assertThrows(
                IllegalArgumentException.class, () -> RuntimeSettings.cpuOnly().withMaxImagesPerCall(0));
    }
}
