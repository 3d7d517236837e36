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
 * It keeps the original bytes (base64: a poison record need not be UTF-8, or text at all) together with where it came
 * from, so it can be inspected and replayed. Building one from a record ({@link #of}) never throws, whatever the
 * record holds, and its size is bounded so it can always be published: key and value are kept up to
 * {@value #MAX_KEPT_KEY_BYTES} and {@value #MAX_KEPT_VALUE_BYTES} bytes, at most {@value #MAX_HEADERS} headers of up
 * to {@value #MAX_KEPT_HEADER_BYTES} bytes each ({@code truncated} and the sizes say when bytes were cut).
 *
 * @param schemaVersion {@value ProtocolMessage#CURRENT_SCHEMA_VERSION}
 * @param topic the topic the record was read from
 * @param partition its partition, at least 0
 * @param offset its offset, at least 0
 * @param reason why it was parked
 * @param keyBase64 the record's key bytes (their first {@value #MAX_KEPT_KEY_BYTES}), canonical padded base64;
 *     absent for a null key
 * @param keySize the key's size in bytes; absent for a null key
 * @param valueBase64 the record's value bytes (their first {@value #MAX_KEPT_VALUE_BYTES}), canonical padded base64;
 *     absent for a null value (a tombstone)
 * @param valueSize the value's size in bytes; absent for a null value
 * @param truncated whether any kept bytes (key, value or a header value) are only the first part of the original
 * @param headers the record's headers (last value per name), values as base64; default empty
 * @param headersDropped how many headers are not in {@code headers}: past the first {@value #MAX_HEADERS} names, with
 *     an empty name, or with a null value; default 0
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
        DeadLetterReason reason,
        String keyBase64,
        Integer keySize,
        String valueBase64,
        Integer valueSize,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean truncated,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> headers,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Integer headersDropped,
        String error,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FieldError> fieldErrors,
        String failedBy,
        Instant failedAt)
        implements ProtocolMessage {

    public static final int MAX_ERROR_LENGTH = 4096;
    public static final int MAX_HEADERS = 64;
    public static final int MAX_HEADER_NAME_LENGTH = 256;
    public static final int MAX_FIELD_ERRORS = 100;
    /** With base64's 4/3 and the other bounds, a dead letter stays under 400 KB: below Kafka's default 1 MiB limit. */
    public static final int MAX_KEPT_VALUE_BYTES = 256 * 1024;

    public static final int MAX_KEPT_KEY_BYTES = 16 * 1024;
    public static final int MAX_KEPT_HEADER_BYTES = 1024;
    /** Kafka's rule for topic names. */
    static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public DeadLetter {
        truncated = truncated != null && truncated;
        headersDropped = headersDropped == null ? 0 : headersDropped;
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
        checks.required("reason", reason);
        checkKept(checks, "key", keyBase64, keySize, MAX_KEPT_KEY_BYTES, truncated);
        checkKept(checks, "value", valueBase64, valueSize, MAX_KEPT_VALUE_BYTES, truncated);
        if (checks.noNullEntries("headers", headers)) {
            checks.check(headers.size() <= MAX_HEADERS, "headers", "must have at most " + MAX_HEADERS + " entries");
            headers.forEach((name, value) -> {
                checks.check(
                        !name.isEmpty() && name.length() <= MAX_HEADER_NAME_LENGTH,
                        "headers",
                        "header names must be 1.." + MAX_HEADER_NAME_LENGTH + " characters");
                checkBase64(checks, "headers." + name, value);
            });
            headers = Collections.unmodifiableMap(new TreeMap<>(headers));
        }
        checks.atLeast("headers_dropped", headersDropped, 0);
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
     * The dead letter of a record that failed with {@code cause}, for the reason {@code cause} implies
     * ({@link DeadLetterReason#of}). Never throws: see {@link #of(String, int, long, byte[], byte[], Map,
     * DeadLetterReason, Throwable, String, Instant)}.
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
        return of(topic, partition, offset, key, value, headers, DeadLetterReason.of(cause), cause, failedBy, failedAt);
    }

    /**
     * The dead letter of a record that failed with {@code cause}. Never throws, whatever the record holds: bytes past
     * the bounds are cut ({@code truncated}), headers beyond {@value #MAX_HEADERS} names or with an empty name or a
     * null value are counted in {@code headers_dropped}, a {@link ValidationException} keeps its first
     * {@value #MAX_FIELD_ERRORS} field errors, any message is cut to fit, and an invalid topic, position, worker id or
     * time is replaced (the error says so) rather than lose the record.
     *
     * @param key the record's key bytes, or null
     * @param value the record's value bytes, or null
     * @param headers the record's headers (last value per name; null values allowed), or null
     */
    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            Map<String, byte[]> headers,
            DeadLetterReason reason,
            Throwable cause,
            String failedBy,
            Instant failedAt) {
        Kept keptKey = Kept.of(key, MAX_KEPT_KEY_BYTES);
        Kept keptValue = Kept.of(value, MAX_KEPT_VALUE_BYTES);
        Map<String, String> keptHeaders = new TreeMap<>();
        int dropped = 0;
        boolean truncated = keptKey.truncated() || keptValue.truncated();
        if (headers != null) {
            for (Map.Entry<String, byte[]> header : headers.entrySet()) {
                String name = header.getKey();
                boolean usable = name != null
                        && !name.isEmpty()
                        && name.length() <= MAX_HEADER_NAME_LENGTH
                        && header.getValue() != null;
                if (!usable || keptHeaders.size() == MAX_HEADERS) {
                    dropped++;
                    continue;
                }
                Kept kept = Kept.of(header.getValue(), MAX_KEPT_HEADER_BYTES);
                truncated |= kept.truncated();
                keptHeaders.put(name, kept.base64());
            }
        }
        List<FieldError> fieldErrors = cause instanceof ValidationException v
                ? v.errors().stream().limit(MAX_FIELD_ERRORS).toList()
                : List.of();
        List<String> replaced = new java.util.ArrayList<>();
        String safeTopic =
                topic != null && TOPIC.matcher(topic).matches() ? topic : replace(replaced, "topic", "unknown");
        int safePartition = partition >= 0 ? partition : replace(replaced, "partition", 0);
        long safeOffset = offset >= 0 ? offset : replace(replaced, "offset", 0L);
        String safeFailedBy =
                failedBy == null || Identifier.isValid(failedBy) ? failedBy : replace(replaced, "failed_by", null);
        Instant safeFailedAt = failedAt != null ? failedAt : replace(replaced, "failed_at", Instant.now());
        String error = describe(cause, replaced);
        try {
            return new DeadLetter(
                    CURRENT_SCHEMA_VERSION,
                    safeTopic,
                    safePartition,
                    safeOffset,
                    reason == null ? DeadLetterReason.of(cause) : reason,
                    keptKey.base64(),
                    keptKey.size(),
                    keptValue.base64(),
                    keptValue.size(),
                    truncated,
                    keptHeaders,
                    dropped,
                    error,
                    fieldErrors,
                    safeFailedBy,
                    safeFailedAt);
        } catch (ValidationException unexpected) {
            // Every input was made valid above; this is a last resort so that a bug here cannot stop a consumer.
            return new DeadLetter(
                    CURRENT_SCHEMA_VERSION,
                    safeTopic,
                    safePartition,
                    safeOffset,
                    DeadLetterReason.PROCESSING_FAILED,
                    keptKey.base64(),
                    keptKey.size(),
                    keptValue.base64(),
                    keptValue.size(),
                    truncated,
                    Map.of(),
                    headers == null ? 0 : headers.size(),
                    cut("dead letter fallback: " + unexpected.getMessage()),
                    List.of(),
                    null,
                    safeFailedAt);
        }
    }

    /** What is kept of some bytes: their first {@code limit} as base64, and their full size. */
    private record Kept(String base64, Integer size, boolean truncated) {
        static Kept of(byte[] bytes, int limit) {
            if (bytes == null) {
                return new Kept(null, null, false);
            }
            int kept = Math.min(bytes.length, limit);
            return new Kept(
                    Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, kept)),
                    bytes.length,
                    kept < bytes.length);
        }
    }

    private static <T> T replace(List<String> replaced, String field, T substitute) {
        replaced.add(field);
        return substitute;
    }

    /** The original key bytes, or null. */
    public byte[] keyBytes() {
        return keyBase64 == null ? null : Base64.getDecoder().decode(keyBase64);
    }

    /** The original value bytes, or null. */
    public byte[] valueBytes() {
        return valueBase64 == null ? null : Base64.getDecoder().decode(valueBase64);
    }

    private static String describe(Throwable cause, List<String> replaced) {
        String text;
        if (cause == null) {
            text = "no cause given";
        } else {
            String message = cause.getMessage();
            text = cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        }
        if (!replaced.isEmpty()) {
            text += " (invalid " + String.join(", ", replaced) + " replaced)";
        }
        return cut(text);
    }

    private static String cut(String text) {
        if (text.codePointCount(0, text.length()) > MAX_ERROR_LENGTH) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_ERROR_LENGTH - 1)) + "…";
        }
        return text.isBlank() ? "unknown error" : text;
    }

    /**
     * A kept key or value: canonical base64 of at most {@code limit} bytes; its size, when both are given, is the kept
     * count or (truncated) more. The pairing is a rule between two fields, so the schema states it in words only.
     */
    private static void checkKept(
            Checks checks, String field, String base64, Integer size, int limit, boolean truncated) {
        boolean canonical = checkBase64(checks, field + "_base64", base64);
        if (size != null) {
            checks.atLeast(field + "_size", size, 0);
        }
        if (!canonical || size == null) {
            return;
        }
        int kept = Base64.getDecoder().decode(base64).length;
        checks.check(kept <= limit, field + "_base64", "must hold at most " + limit + " bytes");
        checks.check(
                size == kept || (truncated && size > kept),
                field + "_size",
                "must be the kept bytes' count, or more when truncated");
    }

    /** Checks that {@code value}, if present, is canonical base64; true when it is present and canonical. */
    private static boolean checkBase64(Checks checks, String field, String value) {
        if (value == null) {
            return false;
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
        return canonical;
    }
}
