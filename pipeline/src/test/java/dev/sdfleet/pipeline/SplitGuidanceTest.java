package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import org.junit.jupiter.api.Test;

/**
 * Guidance run as two ORT runs (the unconditional rows, then the conditional ones, each a view of the same buffers)
 * gives the images of one run over the whole batch, bit for bit, on the bundled model: for one image, for several
 * images in one call, and for an unguided request (one run either way).
 */
class SplitGuidanceTest {
    private static PipelineRequest request(int imagesPerPrompt, double guidance) {
        return PipelineRequest.builder("a red circle on a blue background", "a yellow square")
                .imagesPerPrompt(imagesPerPrompt)
                .size(64, 64)
                .steps(4)
                .guidance(guidance)
                .seed(11)
                .build();
    }

    @Test
    void splitAndWholeRunsGiveTheSameImages() {
        RuntimeSettings whole =
                RuntimeSettings.cpuOnly().withMaxImagesPerCall(2).withSplitGuidance(false);
        RuntimeSettings split = whole.withSplitGuidance(true);
        for (PipelineRequest request : new PipelineRequest[] {request(1, 7.5), request(1, 1.0)}) {
            GenerationResult expected = generate(whole, request);
            GenerationResult actual = generate(split, request);
            assertEquals(expected.images().size(), actual.images().size());
            assertEquals(expected.timings().unetCalls(), actual.timings().unetCalls(), "UNet calls count steps");
            for (int i = 0; i < expected.images().size(); i++) {
                assertArrayEquals(
                        expected.images().get(i).png(),
                        actual.images().get(i).png(),
                        "image " + i + " at guidance " + request.guidanceScale());
            }
        }
    }

    private static GenerationResult generate(RuntimeSettings settings, PipelineRequest request) {
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(TinyModels.sd(), settings)) {
            return pipeline.generate(request);
        }
    }
}
