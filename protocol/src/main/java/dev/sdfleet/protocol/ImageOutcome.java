package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One image of a finished request, in its {@link RequestEvent}.
 *
 * @param index the image's index in the request
 * @param status SUCCEEDED with {@code output}, or FAILED with {@code error} (a cancelled or expired image is FAILED
 *     with reason CANCELLED or DEADLINE_EXCEEDED)
 * @param seed the seed the image was (or would have been) made with, so it can be made again; absent if unknown
 * @param output where the image lies, for SUCCEEDED
 * @param error why there is no image, for FAILED
 */
public record ImageOutcome(
        @JsonProperty(required = true) int index, JobStatus status, Long seed, StoredImage output, Failure error) {

    public ImageOutcome {
        Checks checks = new Checks();
        checks.range("index", index, 0, GenerationRequest.MAX_IMAGES - 1);
        if (seed != null) {
            checks.range("seed", seed, 0, GenerationRequest.MAX_SEED);
        }
        checks.outcome(status, output, error);
        checks.throwIfAny();
    }

    /** The outcome a job result reports for its image. */
    public static ImageOutcome of(JobResult result, Long seed) {
        return new ImageOutcome(result.imageIndex(), result.status(), seed, result.output(), result.error());
    }

    /** Whether this image failed by cancellation. */
    public boolean cancelled() {
        return error != null && error.reason() == FailureReason.CANCELLED;
    }
}
