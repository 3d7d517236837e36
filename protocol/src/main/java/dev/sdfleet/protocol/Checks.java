package dev.sdfleet.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the field errors of one record's compact constructor, so a caller learns about every bad field at once
 * instead of the first one only. The rules here mirror common.schema.json; a test keeps the two in step.
 */
final class Checks {

    /** The control characters that are whitespace in a prompt: tab, line feed, carriage return. */
    private static final java.util.Set<Integer> WHITESPACE_CONTROLS = java.util.Set.of(0x09, 0x0A, 0x0D);

    // RFC 3339 (what the JSON Schemas' date-time means) has four-digit years only.
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private final List<FieldError> errors = new ArrayList<>();

    void add(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** Adds {@code message} on {@code field} unless {@code ok}; returns {@code ok}. */
    boolean check(boolean ok, String field, String message) {
        if (!ok) {
            add(field, message);
        }
        return ok;
    }

    /** Adds "is required" when {@code value} is null; returns whether it was present. */
    boolean required(String field, Object value) {
        return check(value != null, field, "is required");
    }

    void schemaVersion(int version) {
        check(
                version == ProtocolMessage.CURRENT_SCHEMA_VERSION,
                "schema_version",
                "unsupported version " + version + "; this build reads version "
                        + ProtocolMessage.CURRENT_SCHEMA_VERSION);
    }

    void identifier(String field, String value) {
        if (required(field, value)) {
            check(Identifier.isValid(value), field, Identifier.RULE);
        }
    }

    void optionalIdentifier(String field, String value) {
        if (value != null) {
            identifier(field, value);
        }
    }

    void range(String field, long value, long min, long max) {
        check(value >= min && value <= max, field, "must be " + min + ".." + max + ", got " + value);
    }

    void atLeast(String field, long value, long min) {
        check(value >= min, field, "must be >= " + min + ", got " + value);
    }

    /**
     * A string of at most {@code maxCodePoints} characters (code points, as JSON Schema's maxLength counts), which
     * must contain a non-blank character when {@code nonBlank}.
     */
    void text(String field, String value, int maxCodePoints, boolean nonBlank) {
        if (!required(field, value)) {
            return;
        }
        int length = value.codePointCount(0, value.length());
        check(length <= maxCodePoints, field, "must be at most " + maxCodePoints + " characters, got " + length);
        if (nonBlank) {
            check(!value.isBlank(), field, "must not be blank");
        }
    }

    /**
     * Prompt text: {@link #text} plus valid Unicode (no lone surrogate) without control characters other than tab,
     * line feed and carriage return. CLIP's tokenizer drops controls (so they cannot mean anything to the model), and
     * PNG text chunks cannot carry NUL: a prompt with one would be denoised and then fail at encoding.
     */
    void promptText(String field, String value, int maxCodePoints, boolean nonBlank) {
        text(field, value, maxCodePoints, nonBlank);
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (Character.isSurrogate((char) codePoint)) {
                check(false, field, "must be valid Unicode: lone surrogate at character " + i);
                return;
            }
            if (Character.getType(codePoint) == Character.CONTROL && !WHITESPACE_CONTROLS.contains(codePoint)) {
                check(
                        false,
                        field,
                        String.format(
                                "must not contain control characters (other than tab and newline): U+%04X at character %d",
                                codePoint, i));
                return;
            }
            i += Character.charCount(codePoint);
        }
    }

    void optionalText(String field, String value, int maxCodePoints) {
        if (value != null) {
            text(field, value, maxCodePoints, false);
        }
    }

    void instant(String field, Instant value) {
        if (required(field, value)) {
            check(
                    !value.isBefore(EARLIEST) && !value.isAfter(LATEST),
                    field,
                    "must lie in years 0000..9999 (RFC 3339), got " + value);
        }
    }

    void optionalInstant(String field, Instant value) {
        if (value != null) {
            instant(field, value);
        }
    }

    /** Rejects null elements, which List.copyOf would turn into a NullPointerException without a field name. */
    boolean noNullElements(String field, Collection<?> values) {
        int index = 0;
        boolean ok = true;
        for (Object value : values) {
            ok &= check(value != null, field + "[" + index + "]", "must not be null");
            index++;
        }
        return ok;
    }

    /** Rejects null keys and values, which Map copies would turn into a NullPointerException. */
    boolean noNullEntries(String field, Map<String, ?> values) {
        boolean ok = true;
        for (Map.Entry<String, ?> entry : values.entrySet()) {
            ok &= check(entry.getKey() != null, field, "must not have a null key");
            ok &= check(entry.getValue() != null, field + "." + entry.getKey(), "must not be null");
        }
        return ok;
    }

    /** The rules a request and its jobs share for the image itself. */
    void imageParameters(int width, int height, int steps, double guidance) {
        side("width", width);
        side("height", height);
        range("steps", steps, 1, GenerationRequest.MAX_STEPS);
        check(
                Double.isFinite(guidance) && guidance >= 0 && guidance <= GenerationRequest.MAX_GUIDANCE,
                "guidance",
                "must be a finite number in 0.." + GenerationRequest.MAX_GUIDANCE + ", got " + guidance);
    }

    private static boolean validSide(int value) {
        return value >= GenerationRequest.MIN_SIDE
                && value <= GenerationRequest.MAX_SIDE
                && value % GenerationRequest.SIDE_MULTIPLE == 0;
    }

    private void side(String field, int value) {
        check(
                validSide(value),
                field,
                "must be a multiple of " + GenerationRequest.SIDE_MULTIPLE + " in " + GenerationRequest.MIN_SIDE + ".."
                        + GenerationRequest.MAX_SIDE + ", got " + value);
    }

    void model(String model) {
        if (required("model", model)) {
            check(
                    GenerationRequest.MODEL_ID.matcher(model).matches(),
                    "model",
                    "must be a model id: letters, digits, '.', '_' or '-' (at most 64), optionally as org/name");
        }
    }

    /** A job id that parses and belongs to {@code requestId}. */
    void jobOfRequest(String jobId, String requestId) {
        if (!required("job_id", jobId)) {
            return;
        }
        try {
            JobId parsed = JobId.parse(jobId);
            check(
                    requestId == null || parsed.requestId().equals(requestId),
                    "job_id",
                    "must belong to request_id \"" + requestId + "\", got \"" + jobId + "\"");
        } catch (ValidationException e) {
            errors.addAll(e.errors());
        }
    }

    /** A request's metadata (see {@link GenerationRequest#metadata()}), returned as an unmodifiable sorted copy. */
    Map<String, String> metadata(Map<String, String> metadata) {
        if (!noNullEntries("metadata", metadata)) {
            return metadata;
        }
        check(
                metadata.size() <= GenerationRequest.MAX_METADATA_ENTRIES,
                "metadata",
                "must have at most " + GenerationRequest.MAX_METADATA_ENTRIES + " entries, got " + metadata.size());
        metadata.forEach((key, value) -> {
            check(
                    GenerationRequest.METADATA_KEY.matcher(key).matches(),
                    "metadata." + key,
                    "key must be 1..64 letters, digits, '_', '.' or '-', starting with a letter or digit");
            text("metadata." + key, value, GenerationRequest.MAX_METADATA_VALUE_LENGTH, false);
        });
        // Sorted, so the same message always encodes to the same bytes.
        return Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /**
     * The rules a request and its jobs share for img2img and inpainting inputs (see
     * {@link GenerationRequest#initImage()}): strength only with an init image and in (0, 1], a mask only with an
     * init image, inline sizes equal to the image size, and the inline limit. Whether a key is the tenant's own is not
     * checked here: see {@link ImageInput#readableBy}.
     */
    void inputImages(ImageInput init, ImageInput mask, Double strength, int width, int height) {
        if (init == null) {
            check(strength == null, "strength", "needs init_image");
            check(mask == null, "mask_image", "needs init_image");
            return;
        }
        if (required("strength", strength)) {
            check(strength > 0 && strength <= 1, "strength", "must be in (0, 1], got " + strength);
        }
        inlineSize("init_image", init, width, height);
        if (mask != null) {
            inlineSize("mask_image", mask, width, height);
        }
        int chars = init.inlineChars() + (mask == null ? 0 : mask.inlineChars());
        check(
                chars <= GenerationRequest.MAX_INLINE_IMAGE_CHARS,
                init.hasData() ? "init_image.data" : "mask_image.data",
                "inline images may have at most " + GenerationRequest.MAX_INLINE_IMAGE_CHARS
                        + " base64 characters together (put larger ones in S3 under inputs/<tenant>/), got " + chars);
    }

    private void inlineSize(String field, ImageInput image, int width, int height) {
        int[] size = image.inlineSize();
        if (size != null) {
            check(
                    size[0] == width && size[1] == height && validSide(width) && validSide(height),
                    field + ".data",
                    "is " + size[0] + "x" + size[1] + " but the image size is " + width + "x" + height
                            + " (images are not resized; sides are multiples of " + GenerationRequest.SIDE_MULTIPLE
                            + " in " + GenerationRequest.MIN_SIDE + ".." + GenerationRequest.MAX_SIDE + ")");
        }
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** A job's outcome: SUCCEEDED carries an output and no error, FAILED an error and no output. */
    void outcome(JobStatus status, Object output, Object error) {
        if (required("status", status)) {
            boolean succeeded = status == JobStatus.SUCCEEDED;
            check(
                    succeeded == (output != null),
                    "output",
                    succeeded ? "is required when status is SUCCEEDED" : "must be absent when status is FAILED");
            check(
                    succeeded == (error == null),
                    "error",
                    succeeded ? "must be absent when status is SUCCEEDED" : "is required when status is FAILED");
        }
    }
}
