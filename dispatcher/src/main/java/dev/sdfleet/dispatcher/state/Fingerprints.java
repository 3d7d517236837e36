package dev.sdfleet.dispatcher.state;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two submissions "the same request" for idempotency: the SHA-256 of the request as the codec encodes it.
 * The codec fills defaults and sorts metadata, so {@code {"n":1}} and a body without {@code n} are the same request.
 */
public final class Fingerprints {
    private Fingerprints() {}

    public static String of(GenerationRequest request) {
        return sha256Hex(Codec.encode(request));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
