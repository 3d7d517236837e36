package dev.sdfleet.dispatcher.config;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/**
 * Links a caller can download a stored image with, without S3 credentials: presigned GET URLs. Signing is local
 * (no call to S3), so a link costs microseconds and GET makes a fresh one each time. With signing off every lookup is
 * empty and images carry bucket, key and the raw S3 URL only, as before.
 */
public final class ImageLinks implements AutoCloseable {
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** SigV4 presigned URLs cannot live longer; the SDK refuses more. */
    public static final Duration MAX_TTL = Duration.ofDays(7);

    /**
     * How to sign.
     *
     * @param endpoint a custom endpoint (S3Proxy, MinIO), or null for AWS
     * @param accessKey a static access key, or null for the AWS default chain
     * @param ttl how long a link works
     */
    public record Signing(
            URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle, Duration ttl) {
        public Signing {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(ttl, "ttl");
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("give both the S3 access key and its secret, or neither");
            }
        }

        /** Keeps the secret out of logs. */
        @Override
        public String toString() {
            return "Signing[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region=" + region + ", accessKey="
                    + (accessKey == null ? "(default chain)" : accessKey) + ", pathStyle=" + pathStyle + ", ttl=" + ttl
                    + "]";
        }
    }

    /** A download link and when it stops working. */
    public record Link(String url, Instant expiresAt) {}

    private final S3Presigner presigner;
    private final Duration ttl;

    private ImageLinks(S3Presigner presigner, Duration ttl) {
        this.presigner = presigner;
        this.ttl = ttl;
    }

    /** No links: images are described by bucket, key and raw URL only. */
    public static ImageLinks none() {
        return new ImageLinks(null, null);
    }

    /** Links signed as {@code signing} says; null signing: {@link #none()}. The caller closes it. */
    public static ImageLinks of(Signing signing) {
        if (signing == null) {
            return none();
        }
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(signing.region()))
                .credentialsProvider(credentials(signing))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(signing.pathStyle())
                        .build());
        if (signing.endpoint() != null) {
            builder.endpointOverride(signing.endpoint());
        }
        return new ImageLinks(builder.build(), signing.ttl());
    }

    /** Whether links are made at all. */
    public boolean enabled() {
        return presigner != null;
    }

    /** A fresh link to the object, valid for the configured time; empty when signing is off. */
    public Optional<Link> link(String bucket, String key) {
        if (presigner == null) {
            return Optional.empty();
        }
        PresignedGetObjectRequest signed = presigner.presignGetObject(r ->
                r.signatureDuration(ttl).getObjectRequest(g -> g.bucket(bucket).key(key)));
        return Optional.of(new Link(signed.url().toString(), signed.expiration()));
    }

    @Override
    public void close() {
        if (presigner != null) {
            presigner.close();
        }
    }

    private static AwsCredentialsProvider credentials(Signing signing) {
        return signing.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(signing.accessKey(), signing.secretKey()));
    }
}
