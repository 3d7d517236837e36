package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Why an image was not made.
 *
 * @param reason the code that decides what happens next
 * @param message for a human, not blank, at most {@value #MAX_MESSAGE_LENGTH} characters
 * @param retryable whether trying the same job again may succeed (false for bad parameters, an unknown model, a
 *     passed deadline or a cancellation)
 */
public record Failure(
        FailureReason reason,
        String message,
        @JsonProperty(required = true) boolean retryable) {

    public static final int MAX_MESSAGE_LENGTH = 2048;

    public Failure {
        Checks checks = new Checks();
        checks.required("reason", reason);
        checks.text("message", message, MAX_MESSAGE_LENGTH, true);
        checks.throwIfAny();
    }

    /**
     * A failure whose message is made to fit: a blank message becomes the reason's name and a long one (an
     * exception's, say) is cut to {@value #MAX_MESSAGE_LENGTH} characters. For workers turning exceptions into
     * results, where a too-long message must not turn into a second failure.
     */
    public static Failure of(FailureReason reason, String message, boolean retryable) {
        String text = message == null || message.isBlank() ? String.valueOf(reason) : message;
        if (text.codePointCount(0, text.length()) > MAX_MESSAGE_LENGTH) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_MESSAGE_LENGTH - 1)) + "…";
        }
        return new Failure(reason, text, retryable);
    }
}
