package dev.sdfleet.cli.submit;

import dev.sdfleet.client.NewGeneration;
import dev.sdfleet.client.SdfleetClient;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.ImageStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One generation through the HTTP API, as {@code sdfleet submit} and {@code sdfleet demo} run it, on the Java client:
 * submit (a fresh Idempotency-Key), wait (printing each change of its images' states), then download every stored
 * image into the out folder through its presigned {@code download_url} and print where it lies in S3 and locally.
 */
public final class Submission {
    /** One image stored in S3 and, when the dispatcher presigns, downloaded. */
    public record SavedImage(int index, String s3Uri, Path file) {}

    /** How the request ended, its final document, what was saved, and why the other images are missing. */
    public record Outcome(Generation generation, List<SavedImage> saved, List<String> failures) {
        public String requestId() {
            return generation.id();
        }

        /** The status as the API spells it, e.g. {@code partially_failed}. */
        public String status() {
            return wire(generation.status());
        }

        public boolean completed() {
            return generation.status() == GenerationStatus.COMPLETED;
        }
    }

    private final SdfleetClient client;
    private final PrintStream out;

    /** @param out where the progress and image lines go (stderr when stdout carries JSON) */
    public Submission(SdfleetClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    /** Submits {@code request} and prints what the dispatcher accepted; the accepted document. */
    public Generation submit(NewGeneration request) {
        Generation accepted = client.submit(request);
        out.println("Submitted " + accepted.id() + " to " + client.baseUrl() + " (seed " + accepted.seed() + ", "
                + accepted.n() + " image(s))");
        return accepted;
    }

    /**
     * Waits for the request and downloads its images.
     *
     * @param timeout how long to wait for the request to finish
     * @throws dev.sdfleet.client.SdfleetApiException the dispatcher could not be reached or refused a call
     * @throws dev.sdfleet.client.WaitTimeoutException the request did not finish in time
     */
    public Outcome finish(Generation accepted, Path outDir, Duration timeout) {
        Generation done = client.waitFor(accepted.id(), timeout, state -> out.println("  " + progress(state)));
        List<SavedImage> saved = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Generation.Image image : done.images()) {
            if (image.status() == ImageStatus.SUCCEEDED) {
                saved.add(save(done.id(), image, outDir));
            } else {
                Generation.ImageError error = image.error();
                String why = ("image " + image.index() + " " + wire(image.status()) + ": "
                                + (error == null ? "?" : error.reason() + " " + error.message()))
                        .trim();
                failures.add(why);
                out.println(why);
            }
        }
        return new Outcome(done, saved, failures);
    }

    private SavedImage save(String id, Generation.Image image, Path outDir) {
        String s3 = "s3://" + image.bucket() + "/" + image.key();
        out.println("Image " + image.index() + ":");
        out.println("  S3:    " + s3);
        if (image.downloadUrl() == null) {
            // A dispatcher without S3 settings does not presign: the object is there, for S3 credentials to fetch.
            out.println("  (not downloaded: this dispatcher gives no download_url; fetch it with S3 credentials)");
            return new SavedImage(image.index(), s3, null);
        }
        out.println("  URL:   " + image.downloadUrl() + "   (until " + image.downloadExpiresAt() + ")");
        Path file = outDir.resolve(id + "-" + image.key().substring(image.key().lastIndexOf('/') + 1))
                .toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, client.download(image));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        out.println("  Local: " + file);
        return new SavedImage(image.index(), s3, file);
    }

    /** {@code in_progress: image 0 succeeded, image 1 running 12/30}. */
    static String progress(Generation state) {
        List<String> images = new ArrayList<>();
        for (Generation.Image i : state.images()) {
            String steps = i.step() != null && i.totalSteps() != null ? " " + i.step() + "/" + i.totalSteps() : "";
            images.add("image " + i.index() + " " + wire(i.status()) + steps);
        }
        return wire(state.status()) + ": " + String.join(", ", images);
    }

    /** A status as the API spells it: the constant in lower case ({@code IN_PROGRESS} is {@code in_progress}). */
    static String wire(Enum<?> status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
