package dev.sdfleet.worker.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where images go and how to reach it.
 *
 * @param endpoint a custom endpoint (S3Proxy, MinIO), or null for AWS
 * @param region the signing region
 * @param bucket the bucket for images
 * @param prefix the key prefix, without slashes at either end ("" for none)
 * @param accessKey a static access key, or null for the AWS default chain (environment, profile, instance role)
 * @param secretKey its secret, or null
 * @param pathStyle bucket in the path instead of the host name (needed for local servers)
 */
public record S3Settings(
        URI endpoint,
        String region,
        String bucket,
        String prefix,
        String accessKey,
        String secretKey,
        boolean pathStyle) {

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("the S3 bucket must not be blank");
        }
        if (prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException(
                    "the S3 key prefix must not start or end with '/', got \"" + prefix + "\"");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both the S3 access key and its secret, or neither");
        }
    }

    /**
     * A new client; the caller closes it. The SDK's own retries are off: the worker retries with its own policy,
     * so that one setting bounds the wait and the metrics count every failed attempt.
     */
    public S3Client client() {
        var builder = S3Client.builder()
                .region(Region.of(region))
                .forcePathStyle(pathStyle)
                .credentialsProvider(credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(
                        o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    private AwsCredentialsProvider credentials() {
        return accessKey == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    /** Keeps the secret out of logs. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region=" + region + ", bucket="
                + bucket + ", prefix=" + prefix + ", accessKey=" + (accessKey == null ? "(default chain)" : accessKey)
                + ", secretKey=" + (secretKey == null ? "-" : "***") + ", pathStyle=" + pathStyle + "]";
    }
}
