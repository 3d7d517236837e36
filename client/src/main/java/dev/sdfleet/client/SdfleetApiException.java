package dev.sdfleet.client;

import dev.sdfleet.protocol.FieldError;
import java.util.List;

/**
 * A call to the dispatcher that did not get the answer it needed: an error status with its problem document
 * (RFC 9457 {@code application/problem+json}), or no answer at all ({@link #status()} 0: unreachable, timed out,
 * interrupted).
 */
public final class SdfleetApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final List<FieldError> fieldErrors;

    /**
     * @param status the HTTP status, 0 when no answer came
     * @param code the problem's {@code title} (e.g. {@code "invalid request"}, {@code "too many requests"}); empty
     *     when there was none
     * @param message what went wrong, for a person
     * @param fieldErrors the problem's {@code errors}: each refused field of a 400
     */
    public SdfleetApiException(int status, String code, String message, List<FieldError> fieldErrors) {
        super(message);
        this.status = status;
        this.code = code;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    SdfleetApiException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = "";
        this.fieldErrors = List.of();
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** The problem document's {@code title}: a short, stable name of the kind of problem; empty when none. */
    public String code() {
        return code;
    }

    /** The fields the dispatcher refused (a 400), each with why; empty otherwise. */
    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** The message, then one line per refused field: what a command line prints. */
    public String describe() {
        StringBuilder text = new StringBuilder(getMessage());
        fieldErrors.forEach(e -> text.append(System.lineSeparator())
                .append("  ")
                .append(e.field())
                .append(": ")
                .append(e.message()));
        return text.toString();
    }
}
