package dev.sdfleet.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent} value: {@code 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>}.
 * The HTTP API reads it from the caller (or makes one), and it travels as the {@value #HEADER} header on the request,
 * job and result records and on every webhook call, so one trace id follows a request through every service.
 *
 * <p>The plain {@value #HEADER} Kafka header (not CloudEvents' {@code ce_traceparent}) on purpose: that extension
 * attribute is the context the event was created in, fixed for its life, while this header is the hop's context,
 * which every service re-parents; it is also the header OpenTelemetry's Kafka instrumentation reads and writes, so an
 * instrumented consumer joins the same trace.
 *
 * @param traceId 32 lower-case hex digits, not all zero: the whole request's trace
 * @param parentId 16 lower-case hex digits, not all zero: the span of whoever sent this value
 * @param flags 2 lower-case hex digits; bit 0 is "sampled"
 */
public record TraceParent(String traceId, String parentId, String flags) {
    /** The HTTP and Kafka header name (lower case: HTTP names are case-insensitive, Kafka's are not). */
    public static final String HEADER = "traceparent";

    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern PARENT_ID = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern FLAGS = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{2}");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_PARENT = "0".repeat(16);
    /** Sampled: a trace this fleet starts is worth keeping (nothing samples it away before it reaches a collector). */
    private static final String SAMPLED = "01";

    public TraceParent {
        if (traceId == null || !TRACE_ID.matcher(traceId).matches() || traceId.equals(ZERO_TRACE)) {
            throw new IllegalArgumentException("trace-id must be 32 lower-case hex digits, not all zero: " + traceId);
        }
        if (parentId == null || !PARENT_ID.matcher(parentId).matches() || parentId.equals(ZERO_PARENT)) {
            throw new IllegalArgumentException("parent-id must be 16 lower-case hex digits, not all zero: " + parentId);
        }
        if (flags == null || !FLAGS.matcher(flags).matches()) {
            throw new IllegalArgumentException("flags must be 2 lower-case hex digits: " + flags);
        }
    }

    /**
     * Reads a {@code traceparent} value as the W3C spec says a receiver must: version {@code 00} exactly as
     * specified; a later version (not {@code ff}) by its first four fields, whatever follows them after a dash;
     * anything else (upper case, zero ids, wrong lengths, surrounding text) is not a trace context, and the receiver
     * starts a new trace instead.
     */
    public static Optional<TraceParent> parse(String value) {
        if (value == null || value.length() < 55) {
            return Optional.empty();
        }
        String version = value.substring(0, 2);
        if (!VERSION.matcher(version).matches() || version.equals("ff")) {
            return Optional.empty();
        }
        if (version.equals("00") ? value.length() != 55 : value.length() > 55 && value.charAt(55) != '-') {
            return Optional.empty();
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new TraceParent(value.substring(3, 35), value.substring(36, 52), value.substring(53, 55)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The value of the {@value #HEADER} entry of record headers (last value per name), if it is a valid one. */
    public static Optional<TraceParent> fromHeaders(Map<String, byte[]> headers) {
        byte[] value = headers.get(HEADER);
        return value == null ? Optional.empty() : parse(new String(value, StandardCharsets.UTF_8));
    }

    /** {@code value} when it is a valid trace context, else a new trace (what a receiver of a bad header does). */
    public static TraceParent parseOrGenerate(String value) {
        return parse(value).orElseGet(TraceParent::generate);
    }

    /** A new trace, sampled, whose first span is the caller's. */
    public static TraceParent generate() {
        return new TraceParent(randomHex(16, ZERO_TRACE), randomHex(8, ZERO_PARENT), SAMPLED);
    }

    /** The same trace under a new span: what a service sends on when it passes the work on. */
    public TraceParent child() {
        return new TraceParent(traceId, randomHex(8, ZERO_PARENT), flags);
    }

    /** The header value, version {@code 00}. */
    public String header() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }

    public byte[] headerBytes() {
        return header().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return header();
    }

    private static String randomHex(int bytes, String zero) {
        byte[] random = new byte[bytes];
        String hex;
        do {
            ThreadLocalRandom.current().nextBytes(random);
            hex = HexFormat.of().formatHex(random);
        } while (hex.equals(zero)); // all-zero ids are invalid; one in 2^64 draws
        return hex;
    }
}
