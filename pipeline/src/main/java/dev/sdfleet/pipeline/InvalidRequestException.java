package dev.sdfleet.pipeline;

/** A generation request with a bad field; {@link #field()} names it so that services can answer 400 with it. */
public class InvalidRequestException extends IllegalArgumentException {
    private final String field;

    public InvalidRequestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code width}. */
    public String field() {
        return field;
    }
}
