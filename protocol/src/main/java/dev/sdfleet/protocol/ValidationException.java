package dev.sdfleet.protocol;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A message (or a header set) broke the contract. Carries every problem found, each with its field, so an HTTP API
 * can answer 400 with the list and a consumer can put it in a dead letter.
 *
 * <p>It is an {@link IllegalArgumentException} because it is what the records' constructors throw for bad values.
 * Field paths from a nested record's constructor are relative to that record ({@code "url"} for a
 * {@link Webhook}); {@link Codec#decode} prefixes them with where the record sat ({@code "webhook.url"}).
 */
public final class ValidationException extends IllegalArgumentException {

    private final transient List<FieldError> errors;

    public ValidationException(List<FieldError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ValidationException needs at least one field error");
        }
        this.errors = List.copyOf(errors);
    }

    public ValidationException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    /** The problems, in the order they were found; never empty. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The same errors, each moved under {@code parent} (see {@link FieldError#under(String)}). */
    public ValidationException under(String parent) {
        if (parent.isEmpty()) {
            return this;
        }
        return new ValidationException(errors.stream().map(e -> e.under(parent)).toList());
    }

    /** Whether some error is about exactly {@code field}. */
    public boolean hasErrorOn(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    private static String describe(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }
}
