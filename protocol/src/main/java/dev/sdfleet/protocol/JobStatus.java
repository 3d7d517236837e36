package dev.sdfleet.protocol;

/** How one image's job ended. */
public enum JobStatus {
    /** The image is stored; the result carries {@code output}. */
    SUCCEEDED,
    /** No image; the result carries {@code error}. */
    FAILED
}
