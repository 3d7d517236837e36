package dev.sdfleet.protocol;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * An image a request starts from (img2img's init image, inpainting's mask): either inline, as a base64 PNG, or an
 * object key in the fleet's bucket that the worker reads. Exactly one of the two.
 *
 * <p>Inline data is checked here as far as a message can be without decoding pixels: valid base64 (RFC 4648, with
 * padding, no line breaks), the PNG signature and an {@code IHDR} chunk with a size. Whether the pixels decode is the
 * worker's check (it fails the job with {@code INVALID_INPUT_IMAGE}). How much inline data a request may carry is the
 * request's rule ({@link GenerationRequest#MAX_INLINE_IMAGE_CHARS}, both images together).
 *
 * <p>Keys must lie under {@code inputs/<tenant>/} ({@link #S3_KEY}). That the tenant segment is the request's own
 * tenant is not a rule of the message (a record is decoded before anyone binds it to a tenant, and a dispatcher
 * binds an HTTP request to its caller after decoding): it is checked with {@link #readableBy} by whoever knows the
 * tenant. The worker checks every job before it reads anything and fails a job naming another tenant's object with
 * {@code INVALID_INPUT_IMAGE}, so a tenant never makes the fleet read another tenant's objects; a dispatcher should
 * refuse such a request at admission.
 *
 * @param data a PNG file, base64-encoded; absent when {@code s3Key} is given
 * @param s3Key the object's key in the fleet's bucket; absent when {@code data} is given
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImageInput(String data, String s3Key) {

    /** Where tenants put images for the fleet to read: {@code inputs/<tenant>/...}. */
    public static final String S3_KEY_PREFIX = "inputs/";

    /**
     * An input key: {@code inputs/}, a tenant id, {@code /}, then path segments of letters, digits, '.', '_' and '-'
     * (no empty segment, and no segment of dots only, so no {@code ..}); at most {@value #MAX_S3_KEY_LENGTH}
     * characters.
     */
    public static final Pattern S3_KEY =
            Pattern.compile("inputs/[A-Za-z0-9][A-Za-z0-9._-]{0,127}" + "(/(?!\\.+(/|$))[A-Za-z0-9._-]{1,255})+");

    public static final int MAX_S3_KEY_LENGTH = 1024;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Signature, IHDR length and type, width, height. */
    private static final int HEADER_BYTES = 24;

    public ImageInput {
        Checks checks = new Checks();
        if (data == null && s3Key == null) {
            checks.add("", "needs one of data or s3_key");
        } else if (data != null && s3Key != null) {
            checks.add("", "takes data or s3_key, not both");
        } else if (data != null) {
            checks.check(pngSize(data) != null, "data", "must be a base64-encoded PNG file");
        } else {
            checks.check(
                    s3Key.length() <= MAX_S3_KEY_LENGTH && S3_KEY.matcher(s3Key).matches(),
                    "s3_key",
                    "must be a key under inputs/<tenant>/ made of letters, digits, '.', '_', '-' and '/' (no empty"
                            + " or dots-only segment), at most " + MAX_S3_KEY_LENGTH + " characters");
        }
        checks.throwIfAny();
    }

    /** An inline PNG. */
    public static ImageInput inline(byte[] png) {
        return new ImageInput(Base64.getEncoder().encodeToString(png), null);
    }

    /** An object of the fleet's bucket. */
    public static ImageInput s3(String key) {
        return new ImageInput(null, key);
    }

    /** Whether the image is inline. */
    public boolean hasData() {
        return data != null;
    }

    /** The inline PNG's bytes. */
    public byte[] decodedData() {
        if (data == null) {
            throw new IllegalStateException("the image is an S3 object, not inline");
        }
        return Base64.getDecoder().decode(data);
    }

    /** The inline PNG's size as its header says, {width, height}; null for an S3 key. */
    public int[] inlineSize() {
        return data == null ? null : pngSize(data);
    }

    /** Characters of inline data (0 for a key): what counts against the request's inline limit. */
    public int inlineChars() {
        return data == null ? 0 : data.length();
    }

    /** Whether {@code tenant} may have the fleet read this image: inline data, or a key under its own prefix. */
    public boolean readableBy(String tenant) {
        return s3Key == null || s3Key.startsWith(S3_KEY_PREFIX + tenant + "/");
    }

    /** The size only: the base64 text would swamp a log line (and dead letters carry the record anyway). */
    @Override
    public String toString() {
        return data != null
                ? "ImageInput[data=" + data.length() + " base64 chars]"
                : "ImageInput[s3_key=" + s3Key + "]";
    }

    /**
     * The width and height of a base64 PNG from its IHDR chunk, or null when the text is not valid base64 or the
     * bytes do not start like a PNG file with a positive size.
     */
    static int[] pngSize(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length < HEADER_BYTES + 9
                || !Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            return null;
        }
        ByteBuffer header = ByteBuffer.wrap(bytes);
        if (header.getInt(8) != 13 || header.getInt(12) != 0x49484452) { // "IHDR"
            return null;
        }
        int width = header.getInt(16);
        int height = header.getInt(20);
        return width > 0 && height > 0 ? new int[] {width, height} : null;
    }
}
