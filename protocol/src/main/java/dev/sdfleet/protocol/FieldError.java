package dev.sdfleet.protocol;

/**
 * One problem with one field of a message.
 *
 * @param field where the problem is, as a dotted path of JSON names with {@code [i]} for array elements, e.g.
 *     {@code "webhook.url"} or {@code "images[2].output.sha256"}; {@code ""} for the message as a whole
 * @param message what is wrong, for a human, e.g. {@code "must be 1..16, got 17"}
 */
public record FieldError(String field, String message) {

    public FieldError {
        // Not requireNonNull: a FieldError decoded from a dead letter must fail like every other record.
        if (field == null || message == null) {
            throw new ValidationException(field == null ? "field" : "message", "is required");
        }
    }

    /** This error moved under {@code parent}: {@code "url"} under {@code "webhook"} becomes {@code "webhook.url"}. */
    public FieldError under(String parent) {
        if (parent.isEmpty()) {
            return this;
        }
        if (field.isEmpty()) {
            return new FieldError(parent, message);
        }
        return new FieldError(field.startsWith("[") ? parent + field : parent + "." + field, message);
    }

    @Override
    public String toString() {
        return (field.isEmpty() ? "(message)" : field) + ": " + message;
    }
}
