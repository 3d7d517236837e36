package dev.sdfleet.cli.submit;

import java.util.List;

/**
 * A call to the dispatcher that did not get the answer it needed: the dispatcher unreachable ({@code status} 0) or an
 * error status, with the field errors of a 400. The message is written for the person at the terminal.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final List<FieldProblem> fieldErrors;

    /** One field the dispatcher refused, and why. */
    public record FieldProblem(String field, String message) {}

    public ApiException(int status, String message, List<FieldProblem> fieldErrors) {
        super(message);
        this.status = status;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    public List<FieldProblem> fieldErrors() {
        return fieldErrors;
    }

    /** The message, then one line per refused field. */
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
