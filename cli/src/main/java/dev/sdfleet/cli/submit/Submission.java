package dev.sdfleet.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One generation through the HTTP API, as {@code sdfleet submit} and {@code sdfleet demo} run it: POST with a fresh
 * Idempotency-Key, GET until the request is finished (printing each change of its images' states), then download
 * every stored image into the out folder and print where it lies in S3 and locally.
 */
public final class Submission {
    private static final Set<String> FINISHED = Set.of("completed", "failed", "partially_failed", "cancelled");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    /** One image stored in S3 and downloaded. */
    public record SavedImage(int index, String s3Uri, Path file) {}

    /** How the request ended, what was saved, and why the other images are missing. */
    public record Outcome(String requestId, String status, List<SavedImage> saved, List<String> failures) {
        public boolean completed() {
            return status.equals("completed");
        }
    }

    private final GenerationsApi api;
    private final ImageDownloads downloads;
    private final PrintStream out;

    public Submission(GenerationsApi api, ImageDownloads downloads, PrintStream out) {
        this.api = api;
        this.downloads = downloads;
        this.out = out;
    }

    /**
     * Runs the generation to its end.
     *
     * @param timeout how long to wait for the request to finish
     * @throws ApiException the dispatcher could not be reached or refused a call
     * @throws IllegalStateException the request did not finish in time
     */
    public Outcome run(Generation generation, Path outDir, Duration timeout) {
        // Fresh per run: a retried POST within this run is safe, and the next run is a new request.
        String idempotencyKey = "cli-" + UUID.randomUUID();
        JsonNode accepted = api.submit(generation.toJson(), idempotencyKey);
        String id = accepted.path("id").asText();
        out.println("Submitted " + id + " to " + api.base() + " (seed "
                + accepted.path("seed").asText("drawn") + ", "
                + accepted.path("n").asInt(1) + " image(s))");
        JsonNode state = awaitFinished(id, timeout);
        List<SavedImage> saved = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (JsonNode image : state.path("images")) {
            int index = image.path("index").asInt();
            if (image.path("status").asText().equals("succeeded")) {
                String bucket = image.path("bucket").asText();
                String key = image.path("key").asText();
                Path file = outDir.resolve(id + "-" + key.substring(key.lastIndexOf('/') + 1))
                        .toAbsolutePath();
                // A presigned download_url needs no S3 keys; a dispatcher without S3 settings gives the raw url only.
                String url = image.hasNonNull("download_url")
                        ? image.get("download_url").asText()
                        : image.path("url").asText();
                downloads.download(url, bucket, key, file);
                SavedImage one = new SavedImage(index, "s3://" + bucket + "/" + key, file);
                saved.add(one);
                out.println("Image " + index + ":");
                out.println(
                        "  S3:    " + one.s3Uri() + "   (" + image.path("url").asText() + ")");
                if (image.hasNonNull("download_url")) {
                    out.println("  URL:   " + image.get("download_url").asText() + "   (until "
                            + image.path("download_expires_at").asText() + ")");
                }
                out.println("  Local: " + file);
            } else {
                JsonNode error = image.path("error");
                String why = "image " + index + " " + image.path("status").asText() + ": "
                        + error.path("reason").asText("?") + " "
                        + error.path("message").asText("");
                failures.add(why.trim());
                out.println(why.trim());
            }
        }
        return new Outcome(id, state.path("status").asText(), saved, failures);
    }

    private JsonNode awaitFinished(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String shown = "";
        while (true) {
            JsonNode state = api.get(id);
            String status = state.path("status").asText();
            String line = progress(state);
            if (!line.equals(shown)) {
                out.println("  " + line);
                shown = line;
            }
            if (FINISHED.contains(status)) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("request " + id + " did not finish within " + timeout + " (still "
                        + status + "); GET " + api.base() + "/v1/generations/" + id + " shows it");
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + id, e);
            }
        }
    }

    /** {@code status: image 0 succeeded, image 1 queued}. */
    private static String progress(JsonNode state) {
        List<String> images = new ArrayList<>();
        state.path("images")
                .forEach(i -> images.add("image " + i.path("index").asInt() + " "
                        + i.path("status").asText()));
        return state.path("status").asText() + ": " + String.join(", ", images);
    }
}
