package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * One image to make: what the dispatcher puts on the jobs topic and a worker takes. Self-contained, so a worker
 * needs nothing but this message (no lookup of the request).
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param jobId {@code request_id + "/" + image_index} (see {@link JobId}); checked against the two fields
 * @param requestId the request this image belongs to
 * @param tenant who asked
 * @param imageIndex 0..image_count-1
 * @param imageCount the request's n, 1..{@value GenerationRequest#MAX_IMAGES}
 * @param prompt as in the request
 * @param negativePrompt as in the request ("" for none)
 * @param width as in the request
 * @param height as in the request
 * @param steps as in the request
 * @param guidance as in the request
 * @param scheduler as in the request; absent means the model's own
 * @param seed this image's seed, 0..2^32-1: always set (the dispatcher records drawn seeds here)
 * @param model as in the request
 * @param priority as in the request
 * @param deadline as in the request; absent means none
 * @param enqueuedAt when the dispatcher published the job: the start of the queue wait
 * @param attempt 1 for the first publication, +1 each time the job is published again
 * @param initImage as in the request; absent for text-to-image
 * @param maskImage as in the request; absent unless inpainting
 * @param strength as in the request (defaulted there): present exactly when {@code initImage} is
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Job(
        @JsonProperty(required = true) int schemaVersion,
        String jobId,
        String requestId,
        String tenant,
        @JsonProperty(required = true) int imageIndex,
        @JsonProperty(required = true) int imageCount,
        String prompt,
        String negativePrompt,
        @JsonProperty(required = true) int width,
        @JsonProperty(required = true) int height,
        @JsonProperty(required = true) int steps,
        @JsonProperty(required = true) double guidance,
        SchedulerName scheduler,
        @JsonProperty(required = true) long seed,
        String model,
        Priority priority,
        Instant deadline,
        Instant enqueuedAt,
        @JsonProperty(required = true) int attempt,
        ImageInput initImage,
        ImageInput maskImage,
        Double strength)
        implements ProtocolMessage {

    /** A text-to-image job (no init image). */
    public Job(
            int schemaVersion,
            String jobId,
            String requestId,
            String tenant,
            int imageIndex,
            int imageCount,
            String prompt,
            String negativePrompt,
            int width,
            int height,
            int steps,
            double guidance,
            SchedulerName scheduler,
            long seed,
            String model,
            Priority priority,
            Instant deadline,
            Instant enqueuedAt,
            int attempt) {
        this(
                schemaVersion,
                jobId,
                requestId,
                tenant,
                imageIndex,
                imageCount,
                prompt,
                negativePrompt,
                width,
                height,
                steps,
                guidance,
                scheduler,
                seed,
                model,
                priority,
                deadline,
                enqueuedAt,
                attempt,
                null,
                null,
                null);
    }

    public Job {
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("request_id", requestId);
        checks.identifier("tenant", tenant);
        checks.range("image_count", imageCount, 1, GenerationRequest.MAX_IMAGES);
        checks.range("image_index", imageIndex, 0, Math.max(0, imageCount - 1));
        if (checks.required("job_id", jobId)
                && requestId != null
                && imageIndex >= 0
                && imageIndex < GenerationRequest.MAX_IMAGES) {
            String expected = requestId + "/" + imageIndex;
            checks.check(
                    jobId.equals(expected),
                    "job_id",
                    "must be request_id/image_index (\"" + expected + "\"), got \"" + jobId + "\"");
        }
        checks.promptText("prompt", prompt, GenerationRequest.MAX_PROMPT_LENGTH, true);
        checks.promptText("negative_prompt", negativePrompt, GenerationRequest.MAX_PROMPT_LENGTH, false);
        checks.imageParameters(width, height, steps, guidance);
        checks.range("seed", seed, 0, GenerationRequest.MAX_SEED);
        checks.model(model);
        checks.required("priority", priority);
        checks.optionalInstant("deadline", deadline);
        checks.instant("enqueued_at", enqueuedAt);
        checks.atLeast("attempt", attempt, 1);
        checks.inputImages(initImage, maskImage, strength, width, height);
        checks.throwIfAny();
    }

    /** This job as published once more (a retry): the same id, attempt + 1, a new enqueue time. */
    public Job nextAttempt(Instant now) {
        return new Job(
                schemaVersion,
                jobId,
                requestId,
                tenant,
                imageIndex,
                imageCount,
                prompt,
                negativePrompt,
                width,
                height,
                steps,
                guidance,
                scheduler,
                seed,
                model,
                priority,
                deadline,
                now,
                attempt + 1,
                initImage,
                maskImage,
                strength);
    }

    /** Whether the deadline has passed at {@code now}: such a job is dropped with DEADLINE_EXCEEDED, not run. */
    public boolean isExpiredAt(Instant now) {
        return deadline != null && !now.isBefore(deadline);
    }
}
