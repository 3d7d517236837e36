package dev.sdfleet.worker.inference;

/**
 * A job's init image or mask could not be used ({@link InputImages}). {@code storageDown} tells a missing, foreign or
 * broken image (the job fails for good) from an S3 that did not answer (the job may succeed later).
 */
public final class InputImageException extends RuntimeException {
    private final boolean storageDown;

    public InputImageException(String message, boolean storageDown) {
        super(message);
        this.storageDown = storageDown;
    }

    /** Whether S3 was unreachable or failed on its side, rather than the image being wrong. */
    public boolean storageDown() {
        return storageDown;
    }
}
