package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.Cancellation;
import dev.sdfleet.pipeline.GenerationResult;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.ProgressListener;

/**
 * One pipeline call, as the inference thread makes it: {@code DiffusionPipeline.generate} with
 * {@code PngEncoding.DEFERRED} in the worker, so that the images come back as pixels and the output stage encodes
 * their PNGs on its own thread (the PNG of an image that is already encoded is simply taken). An interface
 * so that a test can put a fault in front of the real pipeline (one job of a batch that fails for a reason of its
 * own) without a pipeline of its own.
 */
@FunctionalInterface
public interface ImageGenerator {

    /** See {@code DiffusionPipeline.generate}: the images in the request's order, or an exception. */
    GenerationResult generate(PipelineRequest request, ProgressListener progress, Cancellation cancellation);
}
