package dev.sdfleet.pipeline;

import java.util.List;

/**
 * The images of one request with what it cost.
 *
 * @param images in request order
 * @param timings per-stage wall time
 * @param warnings things the caller should know (a truncated prompt, with the dropped text)
 * @param scheduler the scheduler that ran
 */
public record GenerationResult(
        List<GeneratedImage> images, StageTimings timings, List<String> warnings, String scheduler) {
    public GenerationResult {
        images = List.copyOf(images);
        warnings = List.copyOf(warnings);
    }
}
