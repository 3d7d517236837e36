package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.devstack.FreePorts;
import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.state.Fingerprints;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.dispatcher.support.FakeWorker;
import dev.sdfleet.dispatcher.support.SharedInfra;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.dispatcher.support.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Images a caller can fetch without S3 credentials: with S3 configured, GET and the webhook bodies carry a presigned
 * {@code download_url} per stored image, and a plain HTTP client downloads exactly the bytes the worker stored, from
 * the real embedded S3 server that checks signatures (an unsigned GET of the same object is refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FetchableImagesTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    /** Knows no S3 key: what a caller of the API has. */
    private final HttpClient plain = HttpClient.newHttpClient();

    private Dispatcher dispatcher;
    private FakeWorker worker;
    private WebhookReceiver receiver;
    private Api api;

    @BeforeAll
    void start() {
        TestInfra infra = SharedInfra.get();
        DispatcherConfig config = TestFleet.config("links").toBuilder()
                .s3(
                        infra.s3Endpoint(),
                        infra.s3Credentials().accessKey(),
                        infra.s3Credentials().secretKey())
                .imageUrlTtl(TTL)
                .build();
        dispatcher = TestFleet.startReady(config);
        worker = new FakeWorker(
                infra,
                config.topics().jobLanesFor("tiny-sd"),
                config.topics().results(),
                job -> FakeWorker.Action.COMPLETE);
        receiver = new WebhookReceiver(TestTenants.ACME_SECRET, FreePorts.pick()).start();
        api = new Api(dispatcher.baseUrl());
    }

    @AfterAll
    void stop() throws Exception {
        try (var r = receiver;
                var w = worker;
                var d = dispatcher) {
            // closed in reverse order
        }
    }

    @Test
    void getAndWebhooksCarryUrlsThatDownloadTheStoredImageWithoutCredentials() throws Exception {
        Api.Answer created =
                api.post("/v1/generations", TestTenants.ACME_KEY, null, """
                {"prompt": "a blue square", "model": "tiny-sd", "n": 2,
                 "webhook": {"url": "%s", "events": ["generation.completed", "image.completed"]}}""".formatted(receiver.url("/hooks/links")));
        assertEquals(202, created.status(), created.raw().body());
        String id = created.json().get("id").asText();

        Instant beforeGet = Instant.now();
        JsonNode done = Eventually.value(id + " completed", () -> {
            JsonNode view =
                    api.get("/v1/generations/" + id, TestTenants.ACME_KEY).json();
            return "completed".equals(view.path("status").asText()) ? view : null;
        });
        Instant afterGet = Instant.now();
        for (JsonNode image : done.get("images")) {
            String bucket = image.get("bucket").asText();
            String key = image.get("key").asText();
            byte[] stored = storedBytes(bucket, key);
            assertEquals(image.get("sha256").asText(), Fingerprints.sha256Hex(stored), "the result's digest");

            byte[] downloaded = download(image.get("download_url").asText());
            assertArrayEquals(stored, downloaded);
            assertEquals(image.get("sha256").asText(), Fingerprints.sha256Hex(downloaded));

            // Signed at the GET, valid for the configured time (SigV4 counts whole seconds).
            Instant expires = Instant.parse(image.get("download_expires_at").asText());
            assertFalse(expires.isBefore(beforeGet.minusSeconds(1).plus(TTL)), expires + " vs " + beforeGet);
            assertFalse(expires.isAfter(afterGet.plus(TTL)), expires + " vs " + afterGet);

            // What the link replaces: the object itself is not public.
            assertEquals(403, status(unsigned(image.get("download_url").asText())), "unsigned GET");
        }

        Eventually.until("three webhooks", () -> callsFor(id).size() >= 3);
        for (WebhookReceiver.Call call : callsFor(id)) {
            assertTrue(call.signatureValid());
            JsonNode data = json(call.body()).get("data");
            // The image.completed message carries the whole document too: its image is stored, others may not be.
            List<JsonNode> outputs = call.id().endsWith("_completed")
                    ? List.of(data.at("/images/0"), data.at("/images/1"))
                    : List.of(data.at("/images/" + call.id().substring(call.id().length() - 1)));
            for (JsonNode output : outputs) {
                byte[] downloaded = download(output.get("download_url").asText());
                assertEquals(output.get("sha256").asText(), Fingerprints.sha256Hex(downloaded), call.id());
                assertArrayEquals(
                        storedBytes(
                                output.get("bucket").asText(), output.get("key").asText()),
                        downloaded,
                        call.id());
                assertTrue(output.hasNonNull("download_expires_at"), call.id());
            }
        }
    }

    private byte[] storedBytes(String bucket, String key) {
        return SharedInfra.get()
                .s3Client()
                .getObjectAsBytes(b -> b.bucket(bucket).key(key))
                .asByteArray();
    }

    private byte[] download(String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = plain.send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> url + ": " + new String(response.body()));
        return response.body();
    }

    /** The same object's URL without the signature. */
    private static URI unsigned(String url) throws URISyntaxException {
        URI signed = URI.create(url);
        return new URI(signed.getScheme(), signed.getAuthority(), signed.getPath(), null, null);
    }

    private int status(URI uri) throws IOException, InterruptedException {
        return plain.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private List<WebhookReceiver.Call> callsFor(String id) {
        return receiver.calls().stream()
                .filter(c -> c.id() != null && c.id().startsWith("msg_" + id + "_"))
                .toList();
    }

    private static JsonNode json(String text) {
        try {
            return StateJson.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
