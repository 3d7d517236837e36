package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Handing the CPU arenas back after each stage ({@link RuntimeSettings#shrinkArenas}) changes memory, never pixels:
 * ORT accepts the run option on every stage (text encoder, UNet, VAE decoder and, for img2img, encoder), and a
 * sequence of generations, each after the previous one's shrink, gives the images of the same sequence with the
 * arenas kept, bit for bit.
 */
class ArenaShrinkageTest {
    private static List<PipelineRequest> requests() {
        PipelineRequest text = PipelineRequest.builder("a red circle on a blue background")
                .size(64, 64)
                .steps(4)
                .guidance(7.5)
                .seed(5)
                .build();
        RgbImage start = new RgbImage(64, 64, new byte[64 * 64 * 3]);
        PipelineRequest img2img = PipelineRequest.builder("a yellow square on a purple background")
                .size(64, 64)
                .steps(4)
                .guidance(7.5)
                .seed(6)
                .initImage(new InitImage(start, 0.6))
                .build();
        return List.of(text, img2img, text);
    }

    @Test
    void shrinkingTheArenasGivesTheImagesOfKeepingThem() {
        RuntimeSettings keep = RuntimeSettings.cpuOnly().withShrinkArenas(false);
        RuntimeSettings shrink = keep.withShrinkArenas(true);
        assertFalse(RuntimeSettings.cpuOnly().shrinkArenas(), "kept by default: shrinking costs each image time");
        List<byte[]> kept = generate(keep);
        List<byte[]> shrunk = generate(shrink);
        assertEquals(kept.size(), shrunk.size());
        for (int i = 0; i < kept.size(); i++) {
            assertArrayEquals(kept.get(i), shrunk.get(i), "generation " + i);
        }
    }

    private static List<byte[]> generate(RuntimeSettings settings) {
        List<byte[]> pngs = new ArrayList<>();
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(TinyModels.sd(), settings)) {
            for (PipelineRequest request : requests()) {
                pngs.add(pipeline.generate(request).images().getFirst().png());
            }
        }
        return pngs;
    }
}
