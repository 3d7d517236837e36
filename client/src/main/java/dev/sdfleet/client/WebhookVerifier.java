package dev.sdfleet.client;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook call came from the dispatcher, as the Standard Webhooks specification says: the
 * {@code webhook-signature} header holds space-separated {@code v1,<base64 HMAC-SHA256>} signatures of
 * {@code webhook-id + "." + webhook-timestamp + "." + body} under the tenant's secret ({@code whsec_<base64>}), and
 * the timestamp is within {@link #DEFAULT_TOLERANCE} of now, so a recorded call cannot be replayed later. Give every
 * secret in use while one is being rotated: a signature by any of them passes.
 *
 * <p>Verify the raw body bytes as received, before parsing them: a re-serialised body signs differently.
 */
public final class WebhookVerifier {
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";
    /** How far a call's timestamp may be from this receiver's clock, either way. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final String SECRET_PREFIX = "whsec_";

    private final List<byte[]> keys;
    private final Duration tolerance;
    private final Clock clock;

    /**
     * @param secrets the tenant's webhook secrets, {@code whsec_<base64>}
     * @throws IllegalArgumentException for none, or one that is not {@code whsec_} and base64
     */
    public WebhookVerifier(String... secrets) {
        this(List.of(secrets), DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /** As {@link #WebhookVerifier(String...)}, with another tolerance and clock. */
    public WebhookVerifier(List<String> secrets, Duration tolerance, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("give at least one secret");
        }
        List<byte[]> decoded = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
                throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX);
            }
            decoded.add(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())));
        }
        this.keys = List.copyOf(decoded);
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * Verifies a call by its headers (names in any case, as a server framework hands them over).
     *
     * @throws WebhookVerificationException when it must not be trusted
     */
    public void verify(Map<String, ? extends List<String>> headers, byte[] body) {
        verify(header(headers, ID_HEADER), header(headers, TIMESTAMP_HEADER), header(headers, SIGNATURE_HEADER), body);
    }

    /**
     * Verifies a call by its three header values and raw body.
     *
     * @throws WebhookVerificationException when it must not be trusted
     */
    public void verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            throw new WebhookVerificationException(
                    "missing " + ID_HEADER + ", " + TIMESTAMP_HEADER + " or " + SIGNATURE_HEADER + " header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new WebhookVerificationException(TIMESTAMP_HEADER + " is not a number of seconds: " + timestamp);
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), clock.instant())
                .abs();
        if (skew.compareTo(tolerance) > 0) {
            throw new WebhookVerificationException(TIMESTAMP_HEADER + " is " + skew.toSeconds()
                    + " s from now, more than " + tolerance.toSeconds() + " s: a replay, or a clock far off");
        }
        byte[] signed = concat((id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8), body);
        for (byte[] key : keys) {
            byte[] expected = hmac(key, signed);
            for (String part : signatures.trim().split(" +")) {
                if (part.startsWith("v1,") && MessageDigest.isEqual(expected, decode(part.substring(3)))) {
                    return;
                }
            }
        }
        throw new WebhookVerificationException("no v1 signature matches this body under the given secrets");
    }

    private static String header(Map<String, ? extends List<String>> headers, String name) {
        for (Map.Entry<String, ? extends List<String>> e : headers.entrySet()) {
            if (e.getKey() != null
                    && e.getKey().toLowerCase(Locale.ROOT).equals(name)
                    && !e.getValue().isEmpty()) {
                return e.getValue().getFirst();
            }
        }
        return null;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0]; // not base64: matches nothing
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
