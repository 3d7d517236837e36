package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * A running job's denoising progress, on the results topic beside the job's result (the dispatcher turns it into
 * the image's {@code step} in its {@link Generation} document). Workers throttle these (a few per second per job at
 * most): they are for progress bars, not for accounting, and a lost one does no harm.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param jobId the job, which must belong to {@code request_id}
 * @param requestId the job's request
 * @param attempt the job's attempt, so progress of a replaced attempt is told apart; absent from older workers
 * @param step denoising steps done, 0..total_steps
 * @param totalSteps denoising steps the job runs, 1..{@value GenerationRequest#MAX_STEPS}
 * @param at when the step finished
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobProgress(
        @JsonProperty(required = true) int schemaVersion,
        String jobId,
        String requestId,
        Integer attempt,
        @JsonProperty(required = true) int step,
        @JsonProperty(required = true) int totalSteps,
        Instant at)
        implements ProtocolMessage {

    public JobProgress {
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("request_id", requestId);
        checks.jobOfRequest(jobId, requestId);
        if (attempt != null) {
            checks.atLeast("attempt", attempt, 1);
        }
        if (checks.check(
                totalSteps >= 1 && totalSteps <= GenerationRequest.MAX_STEPS,
                "total_steps",
                "must be 1.." + GenerationRequest.MAX_STEPS + ", got " + totalSteps)) {
            checks.range("step", step, 0, totalSteps);
        }
        checks.instant("at", at);
        checks.throwIfAny();
    }

    /** Progress of {@code job}: {@code step} of its steps done at {@code at}. */
    public static JobProgress of(Job job, int step, Instant at) {
        return new JobProgress(
                CURRENT_SCHEMA_VERSION, job.jobId(), job.requestId(), job.attempt(), step, job.steps(), at);
    }
}
