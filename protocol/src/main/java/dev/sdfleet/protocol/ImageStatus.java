package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where one image of a request stands, in a {@link Generation}: lower case on the wire. */
public enum ImageStatus {
    /** Waiting for a worker (or for its tenant's turn). */
    @JsonProperty("queued")
    QUEUED,
    /** A worker is denoising it: {@code step} of {@code total_steps} done. */
    @JsonProperty("running")
    RUNNING,
    /** Stored: the image's location and download link are given. */
    @JsonProperty("succeeded")
    SUCCEEDED,
    /** Ended without an image: the error says why. */
    @JsonProperty("failed")
    FAILED
}
