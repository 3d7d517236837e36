package dev.sdfleet.dispatcher.state;

/** Where one image of a request stands, as the dispatcher knows it. */
public enum ImagePhase {
    /**
     * Accepted but not published: its tenant has its cap of images in flight released, so the dispatcher holds the
     * job until one of them ends ({@code streams.HeldImages}). The API shows it as queued.
     */
    HELD,
    /** Its job is on the jobs topic (or about to be): no result yet. */
    QUEUED,
    /** A worker stored the image. */
    SUCCEEDED,
    /** No image: a worker failed it, or the dispatcher dropped it (cancelled, deadline passed). */
    FAILED;

    /** Whether a worker's result is awaited: its job is published and the image has not ended. */
    public boolean awaitsResult() {
        return this == QUEUED;
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED;
    }
}
