package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** S3 API calls against a real in-JVM S3Proxy with a filesystem backend and SigV4 checks. */
class EmbeddedS3Test {
    private static final String BUCKET = "images";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dataDir;

    private static EmbeddedS3 s3;
    private static S3Client client;

    @BeforeAll
    static void startServer() {
        s3 = EmbeddedS3.builder()
                .dataDir(dataDir)
                .credentials(S3Credentials.LOCAL)
                .start();
        System.out.printf("EmbeddedS3 start: %d ms%n", s3.startTime().toMillis());
        s3.createBucket(BUCKET);
        s3.createBucket(BUCKET); // a second call is harmless
        client = s3.client();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        s3.close();
        s3.close();
        assertFalse(s3.isRunning());
    }

    @Test
    void putGetHeadAndListKeepContentTypeAndMetadata() {
        byte[] png = randomBytes(256 * 1024);
        client.putObject(
                b -> b.bucket(BUCKET)
                        .key("req-1/0.png")
                        .contentType("image/png")
                        .metadata(Map.of("seed", "42", "job-id", "job-1")),
                RequestBody.fromBytes(png));
        client.putObject(
                b -> b.bucket(BUCKET).key("req-1/1.png").contentType("image/png"),
                RequestBody.fromBytes(new byte[] {1, 2, 3}));

        ResponseBytes<GetObjectResponse> got =
                client.getObjectAsBytes(b -> b.bucket(BUCKET).key("req-1/0.png"));
        assertArrayEquals(png, got.asByteArray());
        assertEquals("image/png", got.response().contentType());

        HeadObjectResponse head = client.headObject(b -> b.bucket(BUCKET).key("req-1/0.png"));
        assertEquals(png.length, head.contentLength());
        assertEquals("image/png", head.contentType());
        assertEquals(Map.of("seed", "42", "job-id", "job-1"), head.metadata());

        List<String> keys = client.listObjectsV2(b -> b.bucket(BUCKET).prefix("req-1/")).contents().stream()
                .map(S3Object::key)
                .toList();
        assertEquals(List.of("req-1/0.png", "req-1/1.png"), keys);
        // The filesystem layout is <folder>/<bucket>/<key>, handy when looking at a local run.
        assertTrue(Files.isRegularFile(dataDir.resolve(BUCKET).resolve("req-1").resolve("0.png")));
    }

    @Test
    void presignedGetWorksAndUnsignedOrTamperedRequestsAreRefused() throws Exception {
        client.putObject(
                b -> b.bucket(BUCKET).key("signed.txt").contentType("text/plain"),
                RequestBody.fromString("hello", StandardCharsets.UTF_8));
        URI presigned;
        try (S3Presigner presigner = S3Clients.presigner(s3.endpoint(), s3.credentials())) {
            presigned = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(g -> g.bucket(BUCKET).key("signed.txt")))
                    .url()
                    .toURI();
        }

        HttpResponse<String> ok = get(presigned);
        assertEquals(200, ok.statusCode());
        assertEquals("hello", ok.body());

        assertEquals(
                403, get(s3.endpoint().resolve("/" + BUCKET + "/signed.txt")).statusCode(), "unsigned");
        assertEquals(403, get(URI.create(tamperSignature(presigned.toString()))).statusCode(), "tampered signature");
        // A valid signature for one key must not open another.
        URI otherKey = URI.create(presigned.toString().replace("/signed.txt?", "/other.txt?"));
        assertEquals(403, get(otherKey).statusCode(), "signature for another key");
    }

    @Test
    void wrongSecretIsRefused() {
        S3Credentials wrong = new S3Credentials(S3Credentials.LOCAL.accessKey(), "not-the-secret");
        try (S3Client impostor = S3Clients.client(s3.endpoint(), wrong)) {
            var error = assertThrows(S3Exception.class, () -> impostor.listObjectsV2(b -> b.bucket(BUCKET)));
            assertEquals(403, error.statusCode());
        }
    }

    @Test
    void stopThenStartOnTheSamePortKeepsTheObjects() throws Exception {
        client.putObject(b -> b.bucket(BUCKET).key("survivor.bin"), RequestBody.fromBytes(new byte[] {7, 7, 7}));
        int port = s3.port();

        s3.stop();
        assertFalse(s3.isRunning());
        assertThrows(IOException.class, () -> get(s3.endpoint().resolve("/" + BUCKET + "/")), "server is down");

        s3.start();
        assertEquals(port, s3.port());
        assertArrayEquals(
                new byte[] {7, 7, 7},
                client.getObjectAsBytes(b -> b.bucket(BUCKET).key("survivor.bin"))
                        .asByteArray());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Flips the last hex digit of X-Amz-Signature. */
    private static String tamperSignature(String url) {
        int start = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        int end = url.indexOf('&', start) < 0 ? url.length() : url.indexOf('&', start);
        char last = url.charAt(end - 1);
        return url.substring(0, end - 1) + (last == '0' ? '1' : '0') + url.substring(end);
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(1).nextBytes(bytes);
        return bytes;
    }
}
