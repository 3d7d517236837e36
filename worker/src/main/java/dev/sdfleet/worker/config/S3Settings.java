package dev.sdfleet.worker.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
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

    /** S3's bucket naming rules in words, for the settings table and the start-up error. */
    public static final String BUCKET_RULE = "an S3 bucket name (3..63 lower-case letters, digits, '.' or '-', starting"
            + " and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix)";

    /**
     * The longest key prefix: keys are {@code {prefix}/{request id}/{image index}.png} and S3 takes at most 1024
     * characters, request ids up to 128.
     */
    public static final int MAX_PREFIX_LENGTH = 512;

    private static final Pattern BUCKET_CHARACTERS = Pattern.compile("[a-z0-9][a-z0-9.-]*[a-z0-9]");
    private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final List<String> RESERVED_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
    private static final List<String> RESERVED_SUFFIXES =
            List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3");

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        String problem = bucketNameProblem(bucket);
        if (problem != null) {
            throw new IllegalArgumentException("\"" + bucket + "\" is not an S3 bucket name: " + problem);
        }
        if (prefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException(
                    "the S3 key prefix must be at most " + MAX_PREFIX_LENGTH + " characters, got " + prefix.length());
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
     * What breaks S3's bucket naming rules in {@code bucket}, or null when it is a valid name. Checked at start-up: a
     * name S3 (or a lenient local server) would accept but results cannot carry must stop the worker before it takes a
     * job, not fail each job after its image is made.
     */
    public static String bucketNameProblem(String bucket) {
        if (bucket.length() < 3 || bucket.length() > 63) {
            return "it must be 3..63 characters long, not " + bucket.length();
        }
        if (!BUCKET_CHARACTERS.matcher(bucket).matches()) {
            return "only lower-case letters, digits, '.' and '-' are allowed, starting and ending with a letter or"
                    + " digit";
        }
        if (bucket.contains("..")) {
            return "two adjacent periods are not allowed";
        }
        if (IP_ADDRESS.matcher(bucket).matches()) {
            return "it must not look like an IP address";
        }
        for (String reserved : RESERVED_PREFIXES) {
            if (bucket.startsWith(reserved)) {
                return "the prefix " + reserved + " is reserved";
            }
        }
        for (String reserved : RESERVED_SUFFIXES) {
            if (bucket.endsWith(reserved)) {
                return "the suffix " + reserved + " is reserved";
            }
        }
        return null;
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
