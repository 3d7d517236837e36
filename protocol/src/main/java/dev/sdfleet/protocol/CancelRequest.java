package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * Stop a request, or one of its jobs. Published on the cancels topic (not on events): every worker reads all of
 * its partitions to signal a running job and to skip queued ones, and the cancels topic stays small enough for
 * that, while events carries the high-volume progress stream. The dispatcher reads it too, to drop queued jobs and
 * to finish the request as CANCELLED. Cancelling is idempotent: a second cancel changes nothing.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param requestId the request to cancel
 * @param jobId one job of that request to cancel; absent cancels every job of the request
 * @param reason why, for humans and logs, at most {@value #MAX_REASON_LENGTH} characters; optional
 * @param requestedAt when the cancel was asked for
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CancelRequest(
        @JsonProperty(required = true) int schemaVersion,
        String requestId,
        String jobId,
        String reason,
        Instant requestedAt)
        implements ProtocolMessage {

    public static final int MAX_REASON_LENGTH = 512;

    public CancelRequest {
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("request_id", requestId);
        if (jobId != null) {
            checks.jobOfRequest(jobId, requestId);
        }
        checks.optionalText("reason", reason, MAX_REASON_LENGTH);
        checks.instant("requested_at", requestedAt);
        checks.throwIfAny();
    }

    /** Cancels every job of {@code requestId}. */
    public static CancelRequest ofRequest(String requestId, String reason, Instant requestedAt) {
        return new CancelRequest(CURRENT_SCHEMA_VERSION, requestId, null, reason, requestedAt);
    }

    /** Cancels one job. */
    public static CancelRequest ofJob(String jobId, String reason, Instant requestedAt) {
        return new CancelRequest(CURRENT_SCHEMA_VERSION, JobId.parse(jobId).requestId(), jobId, reason, requestedAt);
    }

    /** Whether this cancel stops {@code job}. */
    public boolean covers(Job job) {
        return requestId.equals(job.requestId()) && (jobId == null || jobId.equals(job.jobId()));
    }
}
