package dev.sdfleet.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns whatever Jackson threw while decoding into a {@link ValidationException} naming the field. */
final class JacksonErrors {

    // Jackson puts a missing creator property in the path; the message names it too, for an empty path.
    private static final Pattern MISSING_PROPERTY = Pattern.compile("Missing required creator property '([^']+)'");

    private JacksonErrors() {}

    static ValidationException toValidationException(JacksonException e, ObjectMapper mapper) {
        String path = e instanceof JsonMappingException mapping ? pathOf(mapping) : "";
        ValidationException fromRecord = causeOf(e);
        if (fromRecord != null) {
            return fromRecord.under(path);
        }
        return switch (e) {
            case UnrecognizedPropertyException unknown ->
                new ValidationException(path, "is not a known property" + allowed(unknown.getKnownPropertyIds()));
            case InvalidFormatException format -> new ValidationException(path, invalidValue(format, mapper));
            case MismatchedInputException mismatch -> mismatched(mismatch, path, mapper);
            case InputCoercionException coercion ->
                new ValidationException(path.isEmpty() ? parserPath(coercion) : path, "is out of range");
            case StreamReadException malformed ->
                new ValidationException(parserPath(malformed), Codec.MALFORMED_JSON + ": " + firstLine(malformed));
            case DatabindException other -> new ValidationException(path, firstLine(other));
            default -> new ValidationException(path, firstLine(e));
        };
    }

    private static ValidationException mismatched(MismatchedInputException e, String path, ObjectMapper mapper) {
        Matcher missing = MISSING_PROPERTY.matcher(e.getOriginalMessage());
        if (missing.find()) {
            String name = missing.group(1);
            boolean named = path.equals(name) || path.endsWith("." + name);
            return new ValidationException(
                    named ? path : new FieldError(name, "").under(path).field(), "is required");
        }
        if (e.getCause() instanceof InputCoercionException) {
            return new ValidationException(path, "is out of range");
        }
        return new ValidationException(path, expected(e.getTargetType(), mapper));
    }

    private static String invalidValue(InvalidFormatException e, ObjectMapper mapper) {
        Class<?> target = e.getTargetType();
        if (target != null && target.isEnum()) {
            return expected(target, mapper) + ", got " + e.getValue();
        }
        if (target == Instant.class) {
            return InstantJson.EXPECTED + ", got " + e.getValue();
        }
        // Otherwise a value of another JSON type (5 for a string, "5" for a number) that was not coerced.
        return expected(target, mapper);
    }

    /** What a value of {@code target} looks like in JSON, as a "must be ..." message. */
    private static String expected(Class<?> target, ObjectMapper mapper) {
        if (target == null) {
            return "has the wrong JSON type";
        }
        if (target.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object constant : target.getEnumConstants()) {
                names.add(mapper.convertValue(constant, String.class));
            }
            return "must be one of " + String.join(", ", names);
        }
        if (target == int.class || target == Integer.class || target == long.class || target == Long.class) {
            return "must be an integer";
        }
        if (target == double.class || target == Double.class) {
            return "must be a number";
        }
        if (target == boolean.class || target == Boolean.class) {
            return "must be true or false";
        }
        if (target == String.class) {
            return "must be a string";
        }
        if (target == Instant.class) {
            return InstantJson.EXPECTED;
        }
        if (Collection.class.isAssignableFrom(target)) {
            return "must be an array";
        }
        if (Map.class.isAssignableFrom(target) || target.isRecord()) {
            return "must be an object";
        }
        return "has the wrong JSON type";
    }

    private static ValidationException causeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ValidationException v) {
                return v;
            }
        }
        return null;
    }

    /** The exception's path in FieldError form: {@code images[1].output.sha256}. */
    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** Where the parser stood when a syntax error stopped it, in FieldError form. */
    private static String parserPath(StreamReadException e) {
        if (!(e.getProcessor() instanceof JsonParser parser)) {
            return "";
        }
        StringBuilder path = new StringBuilder();
        for (JsonPointer p = parser.getParsingContext().pathAsPointer(); p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                path.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(p.getMatchingProperty());
            }
        }
        return path.toString();
    }

    private static String allowed(Collection<Object> known) {
        if (known == null || known.isEmpty()) {
            return "";
        }
        List<String> names = known.stream().map(String::valueOf).sorted().toList();
        return "; allowed: " + String.join(", ", names);
    }

    private static String firstLine(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
