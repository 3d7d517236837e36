package dev.sdfleet.dispatcher.state;

import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.StoredImage;
import java.time.Instant;

/**
 * One image of a request in the dispatcher's state store.
 *
 * @param index the image index
 * @param seed the seed its job carries (recorded, also when the dispatcher drew it)
 * @param attempt the attempt of the job now on the jobs topic; results of older attempts are stale
 * @param phase held, queued, succeeded or failed
 * @param output where the image lies, once succeeded
 * @param error why there is no image, once failed
 * @param workerId the worker that reported the result, if any
 * @param finishedAt when the image reached its phase, if terminal
 * @param step denoising steps its worker reported done for this attempt; null until the first report
 * @param totalSteps the steps that worker runs; null until the first report
 */
public record ImageState(
        int index,
        long seed,
        int attempt,
        ImagePhase phase,
        StoredImage output,
        Failure error,
        String workerId,
        Instant finishedAt,
        Integer step,
        Integer totalSteps) {

    public static ImageState queued(int index, long seed) {
        return new ImageState(index, seed, 1, ImagePhase.QUEUED, null, null, null, null, null, null);
    }

    /** Accepted and held back under its tenant's cap on images in flight: its job is not published yet. */
    public static ImageState held(int index, long seed) {
        return new ImageState(index, seed, 1, ImagePhase.HELD, null, null, null, null, null, null);
    }

    /** A held image whose job is published now. */
    public ImageState released() {
        return new ImageState(index, seed, attempt, ImagePhase.QUEUED, null, null, null, null, null, null);
    }

    /**
     * The image is made: every step is done, whatever the last (throttled) progress report said; a job too short for
     * any report leaves both unknown.
     */
    public ImageState succeeded(StoredImage image, String worker, Instant at) {
        return new ImageState(
                index, seed, attempt, ImagePhase.SUCCEEDED, image, null, worker, at, totalSteps, totalSteps);
    }

    public ImageState failed(Failure failure, String worker, Instant at) {
        return new ImageState(index, seed, attempt, ImagePhase.FAILED, null, failure, worker, at, step, totalSteps);
    }

    public ImageState retried() {
        return new ImageState(index, seed, attempt + 1, ImagePhase.QUEUED, null, null, null, null, null, null);
    }

    /** A worker reports {@code done} of {@code total} denoising steps for the current attempt. */
    public ImageState running(int done, int total) {
        return new ImageState(index, seed, attempt, phase, output, error, workerId, finishedAt, done, total);
    }

    /** Whether a worker has reported progress and the image has not ended: it is being made. */
    public boolean running() {
        return phase == ImagePhase.QUEUED && step != null;
    }
}
