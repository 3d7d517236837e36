package dev.sdfleet.protocol;

/** How a whole request ended, in its {@link RequestEvent}. */
public enum RequestStatus {
    /** Every image succeeded. */
    COMPLETED,
    /** Every image failed, none of them by cancellation. */
    FAILED,
    /** Some images succeeded and some failed, none of them by cancellation. */
    PARTIALLY_FAILED,
    /** The request was cancelled: at least one image failed with reason CANCELLED (others may have succeeded). */
    CANCELLED
}
