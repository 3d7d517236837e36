package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.model.ModelFamily;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.runtime.TensorSpec;
import dev.sdfleet.pipeline.testing.TinyModels;
import org.junit.jupiter.api.Test;

/** The SD 2.x- and SDXL-shaped fixtures (random weights) load, are recognised and generate. */
class FamiliesTest {

    static PipelineRequest request(String scheduler) {
        return PipelineRequest.builder("a red circle")
                .size(64, 64)
                .steps(4)
                .guidance(5)
                .scheduler(scheduler)
                .seed(3)
                .build();
    }

    @Test
    void sd2LoadsWithItsOwnInputTypesAndGenerates() {
        try (DiffusionPipeline p = DiffusionPipeline.load(TinyModels.sd2(), RuntimeSettings.cpuOnly())) {
            PipelineInfo info = p.info();
            assertEquals(ModelFamily.SD2, info.family());
            assertEquals("v_prediction", info.predictionType());
            assertEquals(
                    "int32",
                    input(info, "text_encoder", "input_ids").type().name().toLowerCase());
            TensorSpec timestep = input(info, "unet", "timestep");
            assertEquals(1, timestep.rank());
            assertEquals("INT64", timestep.type().name());
            for (String scheduler : new String[] {null, "euler", "dpmpp_2m"}) {
                GenerationResult r = p.generate(request(scheduler));
                assertEquals(64, r.images().getFirst().image().width());
            }
        }
    }

    @Test
    void sdxlUsesBothEncodersAndTheAddedConditions() {
        try (DiffusionPipeline p = DiffusionPipeline.load(TinyModels.sdxl(), RuntimeSettings.cpuOnly())) {
            PipelineInfo info = p.info();
            assertEquals(ModelFamily.SDXL, info.family());
            assertTrue(info.components().stream().anyMatch(c -> c.name().equals("text_encoder_2")));
            assertEquals(0.13025f, info.vaeScalingFactor(), 1e-6f);
            GenerationResult zeroNegative = p.generate(request(null));
            GenerationResult withNegative = p.generate(PipelineRequest.builder("a red circle")
                    .size(64, 64)
                    .steps(4)
                    .guidance(5)
                    .negativePrompt("blue")
                    .seed(3)
                    .build());
            assertEquals(64, zeroNegative.images().getFirst().image().height());
            assertNotEquals(
                    zeroNegative.images().getFirst().image(),
                    withNegative.images().getFirst().image(),
                    "an empty negative prompt means zero embeddings, a given one is encoded");
            assertEquals(
                    64,
                    p.generate(PipelineRequest.builder("x")
                                    .size(64, 64)
                                    .steps(3)
                                    .guidance(1)
                                    .seed(1)
                                    .build())
                            .images()
                            .getFirst()
                            .image()
                            .width(),
                    "without guidance too");
        }
    }

    static TensorSpec input(PipelineInfo info, String component, String name) {
        return info.components().stream()
                .filter(c -> c.name().equals(component))
                .findFirst()
                .orElseThrow()
                .inputs()
                .stream()
                .filter(i -> i.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
