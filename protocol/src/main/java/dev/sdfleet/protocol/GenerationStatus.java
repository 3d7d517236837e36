package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a request stands, as GET, the events topic, webhooks and the event stream all say it: lower case on the wire.
 * The last four are final.
 */
public enum GenerationStatus {
    /** No image has started yet: every one waits for a worker. */
    @JsonProperty("queued")
    QUEUED,
    /** An image is being made, or some have ended and others have not. */
    @JsonProperty("in_progress")
    IN_PROGRESS,
    /** Every image succeeded. */
    @JsonProperty("completed")
    COMPLETED,
    /** Some images succeeded and some failed, none of them by cancellation. */
    @JsonProperty("partially_failed")
    PARTIALLY_FAILED,
    /** Every image failed, none of them by cancellation. */
    @JsonProperty("failed")
    FAILED,
    /** The request was cancelled: at least one image failed with reason cancelled (others may have succeeded). */
    @JsonProperty("cancelled")
    CANCELLED;

    /** Whether the request has ended: nothing about it changes any more, except its webhook tries. */
    public boolean finished() {
        return this != QUEUED && this != IN_PROGRESS;
    }
}
