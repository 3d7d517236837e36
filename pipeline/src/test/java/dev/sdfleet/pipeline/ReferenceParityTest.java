package dev.sdfleet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.pipeline.image.PngDecoder;
import dev.sdfleet.pipeline.image.RgbImage;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.pipeline.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pixel parity with the trainer's reference sampler (PyTorch, numpy RandomState latents, diffusers' PNDM and
 * post-processing): the same prompt and seed give the same image up to float rounding between PyTorch and ONNX
 * Runtime. A wrong guidance order, latent scaling or timestep would change whole regions, not a few levels.
 */
class ReferenceParityTest {

    @Test
    void javaImagesMatchTheReferenceSampler() throws IOException {
        List<JsonNode> heldOut = HeldOutQualityTest.readLines(TinyModels.sd().resolve("evaluation/heldout.jsonl"));
        List<Path> references;
        try (Stream<Path> files = Files.list(TinyModels.sd().resolve("evaluation/reference"))) {
            references = files.sorted().toList();
        }
        assertTrue(references.size() >= 4, "reference images are shipped");
        try (DiffusionPipeline pipeline = DiffusionPipeline.load(TinyModels.sd(), RuntimeSettings.cpuOnly())) {
            for (Path file : references) {
                int index = Integer.parseInt(file.getFileName().toString().substring(0, 2));
                JsonNode pair = heldOut.get(index);
                assertTrue(file.getFileName()
                        .toString()
                        .contains("seed" + pair.get("seed").asLong()));
                RgbImage reference = PngDecoder.decode(Files.readAllBytes(file));
                RgbImage java = pipeline.generate(
                                PipelineRequest.builder(pair.get("prompt").asText())
                                        .size(64, 64)
                                        .steps(20)
                                        .guidance(7.5)
                                        .seeds(List.of(pair.get("seed").asLong()))
                                        .build())
                        .images()
                        .getFirst()
                        .image();
                assertEquals(reference.width(), java.width());
                double mean = GenerationTest.meanDifference(reference, java);
                int max = GenerationTest.maxDifference(reference, java);
                System.out.printf(Locale.ROOT, "%s: mean |diff| %.3f, max %d%n", file.getFileName(), mean, max);
                assertTrue(mean < 1.0, file + " mean difference " + mean);
                assertTrue(max <= 48, file + " max difference " + max);
            }
        }
    }
}
