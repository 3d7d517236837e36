package dev.sdfleet.cli.submit;

import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.devstack.S3Credentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fetches a stored image by what the API says about it: its URL, bucket and key. A presigned URL is fetched as it
 * is. Otherwise the URL is the plain object URL the workers record (path-style for a custom endpoint:
 * {@code http://host:port/bucket/key}), so the endpoint is what precedes the bucket, read with S3 credentials: the
 * environment's {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, else the local fleet's. A URL of another
 * shape is taken for AWS itself, with the SDK's default credentials.
 */
public final class ImageDownloads implements AutoCloseable {
    private final Map<String, S3Client> clients = new HashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final S3Credentials credentials;
    private final Region awsRegion;

    public ImageDownloads(Map<String, String> env) {
        this.awsRegion = Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
        String access = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        this.credentials = access != null && secret != null ? new S3Credentials(access, secret) : S3Credentials.LOCAL;
    }

    /** Writes the object to {@code file}. */
    public void download(String url, String bucket, String key, Path file) {
        byte[] bytes = url.contains("X-Amz-Signature=")
                ? fetch(URI.create(url))
                : client(url, bucket)
                        .getObjectAsBytes(b -> b.bucket(bucket).key(key))
                        .asByteArray();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private S3Client client(String url, String bucket) {
        URI uri = URI.create(url);
        boolean pathStyle = uri.getRawPath() != null && uri.getRawPath().startsWith("/" + bucket + "/");
        String endpoint = pathStyle ? uri.getScheme() + "://" + uri.getRawAuthority() : "aws";
        return clients.computeIfAbsent(
                endpoint,
                e -> pathStyle
                        ? S3Clients.client(URI.create(e), credentials)
                        : S3Client.builder().region(awsRegion).build());
    }

    private byte[] fetch(URI url) {
        try {
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(1)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + url.getHost() + url.getPath() + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + url.getHost() + url.getPath(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        clients.values().forEach(S3Client::close);
        http.close();
    }
}
