package dev.sdfleet.protocol;

/**
 * Why a consumer parked a record on the dead-letter topic: the code an operator filters on, beside the free-text
 * error and the field errors.
 */
public enum DeadLetterReason {
    /** Not a JSON object of any message: empty, not JSON, not an object, larger than a message may be. */
    MALFORMED,
    /** A JSON message that breaks the contract: the field errors say where (wrong types, limits, unknown version). */
    INVALID_MESSAGE,
    /** A valid message that contradicts what was already accepted (a request id reused for another request). */
    CONFLICT,
    /** A valid-looking message whose processing failed with an unexpected error: a bug, kept for replay. */
    PROCESSING_FAILED;

    /** The reason a {@code cause} implies: malformed when any field error is about the record as a whole. */
    public static DeadLetterReason of(Throwable cause) {
        if (cause instanceof ValidationException invalid) {
            boolean wholeRecord = invalid.errors().stream()
                    .anyMatch(e -> e.field().isEmpty() || e.message().startsWith(Codec.MALFORMED_JSON));
            return wholeRecord ? MALFORMED : INVALID_MESSAGE;
        }
        return PROCESSING_FAILED;
    }
}
