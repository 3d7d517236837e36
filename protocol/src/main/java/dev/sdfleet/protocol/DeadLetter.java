package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A record a consumer could not process, parked on the dead-letter topic so that it never blocks its partition.
 * It keeps the original bytes exactly (base64: a poison record need not be UTF-8, or text at all) together with
 * where it came from, so it can be inspected and replayed.
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param topic the topic the record was read from
 * @param partition its partition, at least 0
 * @param offset its offset, at least 0
 * @param keyBase64 the record's key bytes, canonical padded base64; absent for a null key
 * @param valueBase64 the record's value bytes, canonical padded base64; absent for a null value (a tombstone)
 * @param headers the record's headers, values as base64; default empty
 * @param error what went wrong, not blank, at most {@value #MAX_ERROR_LENGTH} characters
 * @param fieldErrors the field errors, when the record broke the contract; default empty
 * @param failedBy the worker or service that gave up on the record; optional
 * @param failedAt when it gave up
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeadLetter(
        @JsonProperty(required = true) int schemaVersion,
        String topic,
        @JsonProperty(required = true) int partition,
        @JsonProperty(required = true) long offset,
        String keyBase64,
        String valueBase64,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> headers,
        String error,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> fieldErrors,
        String failedBy,
        Instant failedAt)
        implements ProtocolMessage {

    public static final int MAX_ERROR_LENGTH = 4096;
    public static final int MAX_HEADERS = 64;
    public static final int MAX_FIELD_ERRORS = 100;
    /** Kafka's rule for topic names. */
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public DeadLetter {
        headers = headers == null ? Map.of() : headers;
        fieldErrors = fieldErrors == null ? List.of() : fieldErrors;
        Checks checks = new Checks();
        checks.schemaVersion(schemaVersion);
        if (checks.required("topic", topic)) {
            checks.check(
                    TOPIC.matcher(topic).matches(),
                    "topic",
                    "must be a Kafka topic name: 1..249 letters, digits, '.', '_' or '-'");
        }
        checks.atLeast("partition", partition, 0);
        checks.atLeast("offset", offset, 0);
        checkBase64(checks, "key_base64", keyBase64);
        checkBase64(checks, "value_base64", valueBase64);
        if (checks.noNullEntries("headers", headers)) {
            checks.check(headers.size() <= MAX_HEADERS, "headers", "must have at most " + MAX_HEADERS + " entries");
            headers.forEach((name, value) -> {
                checks.check(!name.isEmpty(), "headers", "must not have an empty header name");
                checkBase64(checks, "headers." + name, value);
            });
            headers = Collections.unmodifiableMap(new TreeMap<>(headers));
        }
        checks.text("error", error, MAX_ERROR_LENGTH, true);
        if (checks.noNullElements("field_errors", fieldErrors)) {
            checks.check(
                    fieldErrors.size() <= MAX_FIELD_ERRORS,
                    "field_errors",
                    "must have at most " + MAX_FIELD_ERRORS + " entries");
            fieldErrors = List.copyOf(fieldErrors);
        }
        checks.optionalIdentifier("failed_by", failedBy);
        checks.instant("failed_at", failedAt);
        checks.throwIfAny();
    }

    /**
     * The dead letter of a record that failed with {@code cause}. A {@link ValidationException} keeps its field
     * errors; any message is cut to fit.
     *
     * @param key the record's key bytes, or null
     * @param value the record's value bytes, or null
     * @param headers the record's headers (last value per name), or null
     */
    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            Map<String, byte[]> headers,
            Throwable cause,
            String failedBy,
            Instant failedAt) {
        Base64.Encoder base64 = Base64.getEncoder();
        Map<String, String> encodedHeaders = new TreeMap<>();
        if (headers != null) {
            headers.forEach((name, bytes) -> encodedHeaders.put(name, base64.encodeToString(bytes)));
        }
        List<FieldError> fieldErrors = cause instanceof ValidationException v
                ? v.errors().stream().limit(MAX_FIELD_ERRORS).toList()
                : List.of();
        return new DeadLetter(
                CURRENT_SCHEMA_VERSION,
                topic,
                partition,
                offset,
                key == null ? null : base64.encodeToString(key),
                value == null ? null : base64.encodeToString(value),
                encodedHeaders,
                describe(cause),
                fieldErrors,
                failedBy,
                failedAt);
    }

    /** The original key bytes, or null. */
    public byte[] keyBytes() {
        return keyBase64 == null ? null : Base64.getDecoder().decode(keyBase64);
    }

    /** The original value bytes, or null. */
    public byte[] valueBytes() {
        return valueBase64 == null ? null : Base64.getDecoder().decode(valueBase64);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String text = cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        if (text.codePointCount(0, text.length()) > MAX_ERROR_LENGTH) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_ERROR_LENGTH - 1)) + "…";
        }
        return text;
    }

    private static void checkBase64(Checks checks, String field, String value) {
        if (value == null) {
            return;
        }
        boolean canonical;
        try {
            // Canonical means it encodes back to itself: padded, no line breaks, as the schema's pattern says.
            canonical = Base64.getEncoder()
                    .encodeToString(Base64.getDecoder().decode(value))
                    .equals(value);
        } catch (IllegalArgumentException e) {
            canonical = false;
        }
        checks.check(canonical, field, "must be standard base64 with padding");
    }
}
