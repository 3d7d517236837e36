package dev.sdfleet.dispatcher.state;

/** Where one image of a request stands, as the dispatcher knows it. */
public enum ImagePhase {
    /** Its job is on the jobs topic (or about to be): no result yet. */
    QUEUED,
    /** A worker stored the image. */
    SUCCEEDED,
    /** No image: a worker failed it, or the dispatcher dropped it (cancelled, deadline passed). */
    FAILED;

    public boolean terminal() {
        return this != QUEUED;
    }
}
