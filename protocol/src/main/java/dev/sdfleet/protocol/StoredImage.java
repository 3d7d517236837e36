package dev.sdfleet.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Where a finished image lies.
 *
 * @param bucket the S3 bucket (S3's naming rules: 3..63 lower-case letters, digits, '.' or '-')
 * @param key the object key, 1..{@value #MAX_KEY_LENGTH} characters; the worker uses
 *     {@code {prefix}/{request id}/{image index}.png}, so a redelivered job overwrites its own object
 * @param url an absolute URL to fetch the image (an {@code s3://} URL or a presigned https URL), at most
 *     {@value #MAX_URL_LENGTH} characters
 * @param sha256 the SHA-256 of the stored bytes, 64 lower-case hex digits
 * @param sizeBytes the stored size, at least 1
 * @param contentType the media type, e.g. {@code "image/png"}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StoredImage(
        String bucket,
        String key,
        String url,
        String sha256,
        @JsonProperty(required = true) long sizeBytes,
        String contentType) {

    public static final int MAX_KEY_LENGTH = 1024;
    /** Presigned URLs run to 1.5 KB and more. */
    public static final int MAX_URL_LENGTH = 4096;

    static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    static final Pattern CONTENT_TYPE = Pattern.compile("image/[a-z0-9][a-z0-9.+-]{0,62}");

    public StoredImage {
        Checks checks = new Checks();
        if (checks.required("bucket", bucket)) {
            checks.check(
                    BUCKET.matcher(bucket).matches(),
                    "bucket",
                    "must be an S3 bucket name: 3..63 lower-case letters, digits, '.' or '-'");
        }
        checks.text("key", key, MAX_KEY_LENGTH, true);
        checks.text("url", url, MAX_URL_LENGTH, true);
        if (url != null && !url.isBlank()) {
            checks.check(isAbsoluteUri(url), "url", "must be an absolute URL");
        }
        if (checks.required("sha256", sha256)) {
            checks.check(SHA256.matcher(sha256).matches(), "sha256", "must be 64 lower-case hex digits");
        }
        checks.atLeast("size_bytes", sizeBytes, 1);
        if (checks.required("content_type", contentType)) {
            checks.check(
                    CONTENT_TYPE.matcher(contentType).matches(),
                    "content_type",
                    "must be an image media type such as image/png");
        }
        checks.throwIfAny();
    }

    private static boolean isAbsoluteUri(String value) {
        try {
            return new URI(value).isAbsolute();
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
