package dev.sdfleet.worker.output;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.StoredImage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Stores generated PNGs in S3 under a deterministic key, {@code {prefix}/{request id}/{image index}.png}: a job that
 * is delivered twice writes the same object twice, so there is never more than one object per image.
 *
 * <p>The result's URL is the object's plain S3 URL (path-style for a custom endpoint, as
 * {@code S3Utilities.getUrl} builds it), not a presigned one. Results live on a Kafka topic that many services read
 * and that keeps them for days: a presigned URL there would expire while still on the topic, and would hand read
 * access to every reader of the topic. Whoever gives an image to a user (the dispatcher) presigns it then, for that
 * user, or the bucket is made readable where that is wanted.
 */
public final class ImageStore {
    public static final String CONTENT_TYPE = "image/png";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String workerId;

    /**
     * @param prefix the key prefix without a trailing slash ("" for none)
     */
    public ImageStore(S3Client s3, String bucket, String prefix, String workerId) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.workerId = workerId;
    }

    /** The key of {@code job}'s image. */
    public String keyOf(Job job) {
        String key = job.requestId() + "/" + job.imageIndex() + ".png";
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    /**
     * Uploads (or overwrites) the image of {@code job}.
     *
     * @param png the image's PNG file
     * @throws software.amazon.awssdk.core.exception.SdkException when S3 refuses or cannot be reached
     */
    public StoredImage put(Job job, byte[] png) {
        String key = keyOf(job);
        byte[] digest = digest(png);
        s3.putObject(
                b -> b.bucket(bucket)
                        .key(key)
                        .contentType(CONTENT_TYPE)
                        .contentLength((long) png.length)
                        // S3 checks the body against it and refuses a damaged upload; the same hash the result carries.
                        .checksumSHA256(Base64.getEncoder().encodeToString(digest))
                        .metadata(metadataOf(job)),
                RequestBody.fromBytes(png));
        String url = s3.utilities().getUrl(b -> b.bucket(bucket).key(key)).toExternalForm();
        return new StoredImage(bucket, key, url, HexFormat.of().formatHex(digest), png.length, CONTENT_TYPE);
    }

    /**
     * User metadata ({@code x-amz-meta-*}): enough to trace an object back to its job without a database. The prompt
     * goes in as a hash: metadata travels in HTTP headers (ASCII, 2 KB in all), and prompts are user data.
     */
    Map<String, String> metadataOf(Job job) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("job-id", job.jobId());
        metadata.put("request-id", job.requestId());
        metadata.put("seed", Long.toString(job.seed()));
        metadata.put("prompt-sha256", sha256(job.prompt().getBytes(StandardCharsets.UTF_8)));
        metadata.put("model", job.model());
        metadata.put("attempt", Integer.toString(job.attempt()));
        metadata.put("worker-id", workerId);
        return metadata;
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest(bytes));
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
