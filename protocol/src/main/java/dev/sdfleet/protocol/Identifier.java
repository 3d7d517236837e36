package dev.sdfleet.protocol;

import java.util.regex.Pattern;

/**
 * The fleet's one rule for names: request ids, tenants, worker ids. Safe in a Kafka key, an S3 key segment, a URL path
 * and a metric label. common.schema.json spells the same pattern; a test keeps the two in step.
 */
public final class Identifier {
    /** 1..128 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** The rule in words. */
    public static final String DESCRIPTION = "1..128 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /** The rule as an error message's end. */
    public static final String RULE = "must be " + DESCRIPTION;

    private Identifier() {}

    /** Whether {@code value} is an identifier (false for null). */
    public static boolean isValid(String value) {
        return value != null && PATTERN.matcher(value).matches();
    }
}
