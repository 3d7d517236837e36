package dev.sdfleet.devstack;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** AWS SDK v2 clients configured for a local S3 server (S3Proxy or MinIO): path-style, us-east-1, static keys. */
public final class S3Clients {
    /** Local servers ignore the region, but SigV4 signs it, so both sides must agree on one. */
    public static final Region REGION = Region.US_EAST_1;

    private S3Clients() {}

    /** A new synchronous client; the caller closes it. */
    public static S3Client client(URI endpoint, S3Credentials credentials) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                // Bucket-in-hostname needs DNS tricks that 127.0.0.1 cannot do.
                .forcePathStyle(true)
                .credentialsProvider(provider(credentials))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    /** A new presigner for GET/PUT URLs; the caller closes it. */
    public static S3Presigner presigner(URI endpoint, S3Credentials credentials) {
        return S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(provider(credentials))
                .build();
    }

    /** Creates the bucket unless it exists already, so restarts and repeated setup calls are harmless. */
    public static void createBucket(URI endpoint, S3Credentials credentials, String bucket) {
        try (S3Client s3 = client(endpoint, credentials)) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException alreadyThere) {
            // Fine: the bucket and its objects survive restarts on a filesystem backend.
        }
    }

    private static StaticCredentialsProvider provider(S3Credentials credentials) {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(credentials.accessKey(), credentials.secretKey()));
    }
}
