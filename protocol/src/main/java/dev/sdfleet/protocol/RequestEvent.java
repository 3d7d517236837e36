package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A request finished: the one request-level event the dispatcher emits on the events topic (and turns into the
 * generation.completed or generation.failed webhook), with every image's outcome.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param requestId the request
 * @param tenant who asked
 * @param status follows from the images (see {@link #statusOf(List)}); checked
 * @param images one outcome per image, in index order 0..n-1, 1..{@value GenerationRequest#MAX_IMAGES} of them
 * @param timings when the request was accepted and finished
 * @param metadata the request's metadata, echoed; default empty
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RequestEvent(
        @JsonProperty(required = true) int schemaVersion,
        String requestId,
        String tenant,
        RequestStatus status,
        List<ImageOutcome> images,
        RequestTimings timings,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata)
        implements ProtocolMessage {

    public RequestEvent {
        metadata = metadata == null ? Map.of() : metadata;
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("request_id", requestId);
        checks.identifier("tenant", tenant);
        checks.required("status", status);
        if (checks.required("images", images) && checks.noNullElements("images", images)) {
            images = List.copyOf(images);
            checks.check(
                    !images.isEmpty() && images.size() <= GenerationRequest.MAX_IMAGES,
                    "images",
                    "must hold 1.." + GenerationRequest.MAX_IMAGES + " images, got " + images.size());
            for (int i = 0; i < images.size(); i++) {
                checks.check(
                        images.get(i).index() == i,
                        "images[" + i + "].index",
                        "must be " + i + ": images are listed in index order, one per image");
            }
            if (status != null && !images.isEmpty()) {
                RequestStatus expected = statusOf(images);
                checks.check(status == expected, "status", "must be " + expected + " for these images, got " + status);
            }
        }
        checks.required("timings", timings);
        metadata = checks.metadata(metadata);
        checks.throwIfAny();
    }

    /**
     * The request status these images add up to: CANCELLED if any image was cancelled, else COMPLETED when all
     * succeeded, FAILED when all failed, PARTIALLY_FAILED otherwise.
     */
    public static RequestStatus statusOf(List<ImageOutcome> images) {
        if (images.stream().anyMatch(ImageOutcome::cancelled)) {
            return RequestStatus.CANCELLED;
        }
        long succeeded =
                images.stream().filter(i -> i.status() == JobStatus.SUCCEEDED).count();
        if (succeeded == images.size()) {
            return RequestStatus.COMPLETED;
        }
        return succeeded == 0 ? RequestStatus.FAILED : RequestStatus.PARTIALLY_FAILED;
    }

    /** The event for a request whose images ended as {@code images}; the status is derived from them. */
    public static RequestEvent of(
            String requestId,
            String tenant,
            List<ImageOutcome> images,
            RequestTimings timings,
            Map<String, String> metadata) {
        return new RequestEvent(CURRENT_SCHEMA_VERSION, requestId, tenant, statusOf(images), images, timings, metadata);
    }
}
