package dev.sdfleet.dispatcher.state;

/** Where one webhook message stands. */
public enum DeliveryPhase {
    /** Waiting for its next try (the first one included). */
    PENDING,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** Tries stopped: retry window over, or an answer that says never to retry (410, refused destination). */
    FAILED
}
