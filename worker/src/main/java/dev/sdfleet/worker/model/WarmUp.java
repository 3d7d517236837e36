package dev.sdfleet.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PipelineRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One small generation before the worker reports ready: the first run of each session allocates its arena and (on a
 * GPU) builds kernels or TensorRT engines, which can take from a second to minutes. Better here than in the first
 * job's latency, and a model that cannot run at all fails the start instead of every job.
 */
public final class WarmUp {
    /** Steps of the warm-up run: every stage runs, and the step loop more than once. */
    static final int STEPS = 3;
    /** The VAE's downscale factor in every SD family. */
    private static final int VAE_FACTOR = 8;

    private static final int FALLBACK_SIDE = 512;

    private WarmUp() {}

    /** Runs the warm-up generation at the model's native size. */
    public static void run(DiffusionPipeline pipeline) {
        int side = nativeSide(pipeline.folder().root());
        pipeline.generate(PipelineRequest.builder("warm-up")
                .size(side, side)
                .steps(STEPS)
                .seed(0)
                .build());
    }

    /** The image side the model was trained for: the UNet's {@code sample_size} times 8, else 512. */
    public static int nativeSide(Path modelRoot) {
        Path config = modelRoot.resolve("unet/config.json");
        try {
            JsonNode sampleSize =
                    new ObjectMapper().readTree(Files.readAllBytes(config)).path("sample_size");
            return sampleSize.isInt() && sampleSize.intValue() > 0 ? sampleSize.intValue() * VAE_FACTOR : FALLBACK_SIDE;
        } catch (IOException e) {
            return FALLBACK_SIDE;
        }
    }
}
