package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How one job ended: what a worker puts on the results topic before it commits the job's offset. A job may end
 * more than once (at-least-once delivery); consumers de-duplicate by {@code job_id}.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param jobId {@code request_id/image_index}; checked against the two fields
 * @param requestId the job's request
 * @param imageIndex the job's image index
 * @param attempt the job's attempt
 * @param status SUCCEEDED with {@code output} and no {@code error}, or FAILED with {@code error} and no
 *     {@code output}
 * @param workerId the worker that ran (or refused) the job
 * @param queueWaitMs from the job's enqueued_at to the start of its inference, at least 0
 * @param stageMs milliseconds per stage, in the order they ran (e.g. text_encoder, denoise, vae_decode, encode,
 *     upload); keys as {@link #STAGE_NAME}, at most {@value #MAX_STAGES} entries; default empty
 * @param output where the image lies, for SUCCEEDED
 * @param error why there is no image, for FAILED
 * @param finishedAt when the worker finished with the job
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobResult(
        @JsonProperty(required = true) int schemaVersion,
        String jobId,
        String requestId,
        @JsonProperty(required = true) int imageIndex,
        @JsonProperty(required = true) int attempt,
        JobStatus status,
        String workerId,
        @JsonProperty(required = true) long queueWaitMs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Long> stageMs,
        StoredImage output,
        Failure error,
        Instant finishedAt)
        implements ProtocolMessage {

    public static final int MAX_STAGES = 16;
    public static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public JobResult {
        stageMs = stageMs == null ? Map.of() : stageMs;
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("request_id", requestId);
        checks.range("image_index", imageIndex, 0, GenerationRequest.MAX_IMAGES - 1);
        if (checks.required("job_id", jobId) && requestId != null) {
            String expected = requestId + "/" + imageIndex;
            checks.check(
                    jobId.equals(expected),
                    "job_id",
                    "must be request_id/image_index (\"" + expected + "\"), got \"" + jobId + "\"");
        }
        checks.atLeast("attempt", attempt, 1);
        checks.outcome(status, output, error);
        checks.identifier("worker_id", workerId);
        checks.atLeast("queue_wait_ms", queueWaitMs, 0);
        stageMs = checkStages(checks, stageMs);
        checks.instant("finished_at", finishedAt);
        checks.throwIfAny();
    }

    /** The result of {@code job} stored as {@code output}. */
    public static JobResult succeeded(
            Job job,
            String workerId,
            long queueWaitMs,
            Map<String, Long> stageMs,
            StoredImage output,
            Instant finishedAt) {
        return new JobResult(
                CURRENT_SCHEMA_VERSION,
                job.jobId(),
                job.requestId(),
                job.imageIndex(),
                job.attempt(),
                JobStatus.SUCCEEDED,
                workerId,
                queueWaitMs,
                stageMs,
                output,
                null,
                finishedAt);
    }

    /** The result of {@code job} that failed with {@code error}. */
    public static JobResult failed(
            Job job, String workerId, long queueWaitMs, Map<String, Long> stageMs, Failure error, Instant finishedAt) {
        return new JobResult(
                CURRENT_SCHEMA_VERSION,
                job.jobId(),
                job.requestId(),
                job.imageIndex(),
                job.attempt(),
                JobStatus.FAILED,
                workerId,
                queueWaitMs,
                stageMs,
                null,
                error,
                finishedAt);
    }

    private static Map<String, Long> checkStages(Checks checks, Map<String, Long> stageMs) {
        if (!checks.noNullEntries("stage_ms", stageMs)) {
            return stageMs;
        }
        checks.check(
                stageMs.size() <= MAX_STAGES,
                "stage_ms",
                "must have at most " + MAX_STAGES + " entries, got " + stageMs.size());
        stageMs.forEach((stage, ms) -> {
            checks.check(
                    STAGE_NAME.matcher(stage).matches(),
                    "stage_ms." + stage,
                    "stage name must be 1..32 lower-case letters, digits or '_', starting with a letter");
            checks.atLeast("stage_ms." + stage, ms, 0);
        });
        // Insertion order kept: it is the order the stages ran in.
        return Collections.unmodifiableMap(new LinkedHashMap<>(stageMs));
    }
}
