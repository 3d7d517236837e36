package dev.sdfleet.protocol;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Assertions on the field errors of a {@link ValidationException}. */
final class Errors {

    private Errors() {}

    /** Runs {@code code}, which must fail validation with an error on {@code field}; returns the exception. */
    static ValidationException assertFieldError(String field, Executable code) {
        ValidationException e = assertThrows(ValidationException.class, code);
        assertTrue(e.hasErrorOn(field), "expected an error on \"" + field + "\", got " + e.errors());
        return e;
    }

    /** As {@link #assertFieldError(String, Executable)}, and the message on that field contains {@code text}. */
    static void assertFieldError(String field, String text, Executable code) {
        ValidationException e = assertFieldError(field, code);
        assertTrue(
                e.errors().stream()
                        .anyMatch(err ->
                                err.field().equals(field) && err.message().contains(text)),
                "expected \"" + text + "\" on \"" + field + "\", got " + e.errors());
    }

    /** Decodes {@code json} as {@code type}, which must fail with an error on {@code field}. */
    static ValidationException assertDecodeError(String field, Class<? extends ProtocolMessage> type, String json) {
        return assertFieldError(
                field, () -> Codec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type));
    }
}
