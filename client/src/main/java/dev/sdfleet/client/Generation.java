package dev.sdfleet.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.protocol.RequestStatus;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A request as the dispatcher's {@code GET /v1/generations/{id}} describes it. The fields a client acts on are
 * typed here; the whole document, with whatever else a dispatcher adds (timings, webhook deliveries), is
 * {@link #json()}.
 *
 * @param id the request id
 * @param status {@code queued} or {@code in_progress} while it runs, then one of {@link RequestStatus} in lower case
 *     ({@code completed}, {@code failed}, {@code partially_failed}, {@code cancelled})
 * @param model the model id
 * @param prompt the prompt
 * @param n images asked for
 * @param seed the first image's seed
 * @param images one per image, by index
 * @param json the whole document
 */
public record Generation(
        String id, String status, String model, String prompt, int n, long seed, List<Image> images, JsonNode json) {

    public Generation {
        images = List.copyOf(images);
    }

    /** Whether the request ended (nothing about it changes any more, except fresh download links). */
    public boolean finished() {
        return finalStatus().isPresent();
    }

    /** How the request ended; empty while it runs. */
    public Optional<RequestStatus> finalStatus() {
        for (RequestStatus s : RequestStatus.values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(status)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Whether every image was made. */
    public boolean completed() {
        return finalStatus().equals(Optional.of(RequestStatus.COMPLETED));
    }

    /** The stored images. */
    public List<Image> succeeded() {
        return images.stream().filter(Image::succeeded).toList();
    }

    /**
     * One image of a request.
     *
     * @param index its place in the request, from 0
     * @param seed its seed
     * @param status {@code queued}, {@code running}, {@code succeeded}, {@code failed}, ...
     * @param attempt how many times a worker was given it
     * @param step the denoising steps done, once a worker reports progress; else null
     * @param totalSteps the steps it takes, once a worker reports progress; else null
     * @param bucket where it is stored (when succeeded)
     * @param key its object key (when succeeded)
     * @param sha256 the stored bytes' SHA-256 in hex (when succeeded)
     * @param contentType e.g. {@code image/png} (when succeeded)
     * @param downloadUrl a presigned URL that needs no credentials, when the dispatcher signs; else null
     * @param downloadExpiresAt when {@code downloadUrl} stops working
     * @param error why it failed; null unless it failed
     */
    public record Image(
            int index,
            long seed,
            String status,
            int attempt,
            Integer step,
            Integer totalSteps,
            String bucket,
            String key,
            String sha256,
            String contentType,
            URI downloadUrl,
            Instant downloadExpiresAt,
            ImageError error) {

        public boolean succeeded() {
            return "succeeded".equals(status);
        }
    }

    /**
     * Why an image failed.
     *
     * @param reason e.g. {@code cancelled}, {@code deadline_exceeded}, {@code invalid_request}
     * @param message for a person
     * @param retryable whether the same request might succeed later
     */
    public record ImageError(String reason, String message, boolean retryable) {}

    /** Reads a GET document; absent fields are null, zero or empty, unknown ones are kept only in {@link #json()}. */
    public static Generation from(JsonNode doc) {
        List<Image> images = new ArrayList<>();
        for (JsonNode i : doc.path("images")) {
            JsonNode error = i.get("error");
            images.add(new Image(
                    i.path("index").asInt(),
                    i.path("seed").asLong(),
                    i.path("status").asText(""),
                    i.path("attempt").asInt(),
                    intOrNull(i.get("step")),
                    intOrNull(i.get("total_steps")),
                    textOrNull(i.get("bucket")),
                    textOrNull(i.get("key")),
                    textOrNull(i.get("sha256")),
                    textOrNull(i.get("content_type")),
                    Optional.ofNullable(textOrNull(i.get("download_url")))
                            .map(URI::create)
                            .orElse(null),
                    Optional.ofNullable(textOrNull(i.get("download_expires_at")))
                            .map(Instant::parse)
                            .orElse(null),
                    error == null || error.isNull()
                            ? null
                            : new ImageError(
                                    error.path("reason").asText(""),
                                    error.path("message").asText(""),
                                    error.path("retryable").asBoolean())));
        }
        return new Generation(
                doc.path("id").asText(""),
                doc.path("status").asText(""),
                textOrNull(doc.get("model")),
                textOrNull(doc.get("prompt")),
                doc.path("n").asInt(images.size()),
                doc.path("seed").asLong(),
                images,
                doc.deepCopy());
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Integer intOrNull(JsonNode node) {
        return node == null || !node.isNumber() ? null : node.asInt();
    }
}
