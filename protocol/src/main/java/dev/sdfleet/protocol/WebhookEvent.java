package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The webhook events a request can subscribe to (the event names of the dispatcher's Standard Webhooks calls). */
public enum WebhookEvent {
    /** The request finished with every image stored. */
    GENERATION_COMPLETED("generation.completed"),
    /** The request finished with at least one image failed or cancelled. */
    GENERATION_FAILED("generation.failed"),
    /** Per-step progress of the request's images (throttled). */
    GENERATION_PROGRESS("generation.progress"),
    /** One image was stored. */
    IMAGE_COMPLETED("image.completed");

    private final String id;

    WebhookEvent(String id) {
        this.id = id;
    }

    /** The JSON name, e.g. {@code "generation.completed"}. */
    @JsonValue
    public String id() {
        return id;
    }
}
