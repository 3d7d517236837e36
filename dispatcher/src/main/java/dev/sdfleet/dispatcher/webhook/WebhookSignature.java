package dev.sdfleet.dispatcher.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, one per signing key,
 * space-separated, so a tenant can rotate secrets (old and new both sign until receivers switch).
 */
public final class WebhookSignature {
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    private WebhookSignature() {}

    /** The {@code webhook-signature} value for {@code body} sent as message {@code id} at {@code timestamp}. */
    public static String sign(List<byte[]> keys, String id, long timestampSeconds, String body) {
        List<String> signatures = new ArrayList<>();
        for (byte[] key : keys) {
            signatures.add("v1," + Base64.getEncoder().encodeToString(hmac(key, id, timestampSeconds, body)));
        }
        return String.join(" ", signatures);
    }

    /** Whether one of the {@code v1} signatures in {@code header} is {@code key}'s (constant-time comparison). */
    public static boolean verify(byte[] key, String id, long timestampSeconds, String body, String header) {
        byte[] expected = hmac(key, id, timestampSeconds, body);
        for (String part : header.split(" ")) {
            if (part.startsWith("v1,")) {
                try {
                    byte[] given = Base64.getDecoder().decode(part.substring(3));
                    if (MessageDigest.isEqual(expected, given)) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // not base64: not a match
                }
            }
        }
        return false;
    }

    private static byte[] hmac(byte[] key, String id, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }
}
