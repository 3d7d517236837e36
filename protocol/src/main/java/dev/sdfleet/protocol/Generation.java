package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request as callers see it: the one document that {@code GET /v1/generations/{id}} answers, each webhook carries
 * as its {@code data}, the server-sent event stream pushes, the list pages hold and the events topic publishes (key:
 * the id). One shape everywhere, so a service can move between polling, webhooks, the stream and Kafka without a
 * second parser. Written by the dispatcher; consumers read it with {@link Codec}.
 *
 * <p>Only GET carries {@code webhook.deliveries} (the tries of these very messages) and a download link signed at
 * the moment of the call; a webhook body is fixed when it is made, so its links are those of its first try.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param id the request id
 * @param tenant who asked
 * @param status where the request stands; the last four values are final
 * @param model the model id
 * @param prompt the prompt
 * @param negativePrompt the negative prompt, if any
 * @param n images asked for
 * @param width pixels
 * @param height pixels
 * @param steps denoising steps per image
 * @param guidance the guidance scale
 * @param scheduler the scheduler asked for; absent: the model's own
 * @param priority the request's priority
 * @param seed image 0's seed (the caller's or the one drawn); image i has its own in {@code images}
 * @param deadline the caller's deadline, if any
 * @param acceptedAt when the dispatcher accepted it
 * @param finishedAt when it ended, once final
 * @param cancelReason why it was cancelled, if it was
 * @param images one per image, index order
 * @param webhook where its webhooks go and (GET only) their tries
 * @param metadata the caller's metadata, echoed
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Generation(
        @JsonProperty(required = true) int schemaVersion,
        String id,
        String tenant,
        GenerationStatus status,
        String model,
        String prompt,
        String negativePrompt,
        Integer n,
        Integer width,
        Integer height,
        Integer steps,
        Double guidance,
        SchedulerName scheduler,
        Priority priority,
        Long seed,
        Instant deadline,
        Instant acceptedAt,
        Instant finishedAt,
        String cancelReason,
        List<Image> images,
        Webhook webhook,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata)
        implements ProtocolMessage {

    public Generation {
        metadata = metadata == null ? Map.of() : metadata;
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        checks.identifier("id", id);
        checks.identifier("tenant", tenant);
        checks.required("status", status);
        checks.required("model", model);
        checks.required("prompt", prompt);
        checks.required("n", n);
        checks.required("width", width);
        checks.required("height", height);
        checks.required("steps", steps);
        checks.required("priority", priority);
        checks.required("seed", seed);
        checks.required("accepted_at", acceptedAt);
        if (checks.required("images", images) && checks.noNullElements("images", images)) {
            images = List.copyOf(images);
            checks.check(
                    !images.isEmpty() && images.size() <= GenerationRequest.MAX_IMAGES,
                    "images",
                    "must hold 1.." + GenerationRequest.MAX_IMAGES + " images, got " + images.size());
        }
        metadata = checks.metadata(metadata);
        checks.throwIfAny();
    }

    /**
     * One image of the request.
     *
     * @param index its index, 0..n-1
     * @param seed the seed it is made with
     * @param status where it stands
     * @param attempt the try now under way or last made (a retried image counts up)
     * @param step denoising steps done, while running (and kept once it ended)
     * @param totalSteps denoising steps it runs, once a worker reported progress
     * @param url the stored image's URL ({@code s3://} or the store's own), once succeeded
     * @param bucket the S3 bucket, once succeeded
     * @param key the S3 key, once succeeded
     * @param sha256 of the stored bytes, once succeeded
     * @param contentType e.g. {@code image/png}, once succeeded
     * @param downloadUrl a presigned URL that a plain HTTP GET downloads, when the dispatcher presigns
     * @param downloadExpiresAt when {@code download_url} stops working
     * @param error why there is no image, once failed
     * @param finishedAt when it ended
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Image(
            Integer index,
            Long seed,
            ImageStatus status,
            Integer attempt,
            Integer step,
            Integer totalSteps,
            String url,
            String bucket,
            String key,
            String sha256,
            String contentType,
            String downloadUrl,
            Instant downloadExpiresAt,
            ImageError error,
            Instant finishedAt) {

        public Image {
            Checks checks = new Checks();
            checks.required("index", index);
            checks.required("seed", seed);
            checks.required("status", status);
            checks.required("attempt", attempt);
            checks.throwIfAny();
        }
    }

    /**
     * Why an image was not made.
     *
     * @param reason the failure reason in lower case, e.g. {@code invalid_request}, {@code cancelled}
     * @param message what happened, for people
     * @param retryable whether the same request may succeed if submitted again
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ImageError(String reason, String message, Boolean retryable) {
        public ImageError {
            Checks checks = new Checks();
            checks.required("reason", reason);
            checks.required("message", message);
            checks.required("retryable", retryable);
            checks.throwIfAny();
        }
    }

    /**
     * The request's webhook.
     *
     * @param url where the calls go
     * @param events the event types asked for
     * @param deliveries each message and its tries (GET only)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Webhook(String url, List<String> events, List<Delivery> deliveries) {
        public Webhook {
            Checks checks = new Checks();
            checks.required("url", url);
            if (checks.required("events", events) && checks.noNullElements("events", events)) {
                events = List.copyOf(events);
            }
            if (deliveries != null && checks.noNullElements("deliveries", deliveries)) {
                deliveries = List.copyOf(deliveries);
            }
            checks.throwIfAny();
        }
    }

    /**
     * One webhook message and its tries.
     *
     * @param id its {@code webhook-id}
     * @param event its type, e.g. {@code generation.completed}
     * @param status {@code pending}, {@code delivered} or {@code failed}
     * @param attemptCount tries made
     * @param nextAttemptAt when the next try is due, while pending
     * @param attempts the latest tries, oldest first
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delivery(
            String id,
            String event,
            String status,
            Integer attemptCount,
            Instant nextAttemptAt,
            List<Attempt> attempts) {
        public Delivery {
            Checks checks = new Checks();
            checks.required("id", id);
            checks.required("event", event);
            checks.required("status", status);
            checks.required("attempt_count", attemptCount);
            if (checks.required("attempts", attempts) && checks.noNullElements("attempts", attempts)) {
                attempts = List.copyOf(attempts);
            }
            checks.throwIfAny();
        }
    }

    /**
     * One try of a webhook message.
     *
     * @param number 1 for the first try
     * @param at when it was made
     * @param durationMs how long the call took
     * @param statusCode the receiver's HTTP status, if it answered
     * @param error what went wrong, if it did
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(Integer number, Instant at, Long durationMs, Integer statusCode, String error) {
        public Attempt {
            Checks checks = new Checks();
            checks.required("number", number);
            checks.required("at", at);
            checks.required("duration_ms", durationMs);
            checks.throwIfAny();
        }
    }
}
