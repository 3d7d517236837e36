package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.cli.fleet.LocalTenants;
import dev.sdfleet.client.SdfleetClient;
import dev.sdfleet.client.WebhookVerifier;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sdfleet submit}'s request fields, {@code --json}, {@code --no-wait} and {@code --webhook}, against a local
 * fleet with one real worker on the tiny model: what the dispatcher stored is what the options said, the images are
 * downloaded, and the webhook call verifies with the tenant's secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitOptionsTest {
    @TempDir
    static Path root;

    private LocalFleet fleet;
    private HttpServer receiver;
    /** Each webhook call: its headers and raw body. */
    private final BlockingQueue<Map.Entry<Map<String, List<String>>, byte[]>> calls = new ArrayBlockingQueue<>(16);

    @BeforeAll
    void start() throws Exception {
        fleet = LocalFleet.start(new LocalFleet.Settings(root, 0, 0, 1, 0, 0, Path.of(CliTest.tinyModel()), 1, 1));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            calls.add(Map.entry(
                    Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    void stop() {
        receiver.stop(0);
        fleet.close();
    }

    @Test
    void theRequestFieldsReachTheDispatcherAndJsonPrintsTheFinalDocument() throws Exception {
        Path out = root.resolve("out");
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
        CliTest.Run r = CliTest.run(
                "submit",
                "--url",
                fleet.dispatcher().baseUrl(),
                "--root",
                root.toString(),
                "--model",
                fleet.modelId(),
                "--negative",
                "blurry",
                "--scheduler",
                "euler_a",
                "--guidance",
                "5",
                "--width",
                "64",
                "--height",
                "64",
                "--steps",
                "2",
                "--seed",
                "5",
                "--n",
                "2",
                "--priority",
                "high",
                "--metadata",
                "order=42",
                "--metadata",
                "team=shapes",
                "--webhook",
                hook,
                "--out",
                out.toString(),
                "--json",
                "a red circle");
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode doc = CliTest.JSON.readTree(r.out());
        assertEquals("completed", doc.get("status").asText(), r.out());
        assertEquals(2, doc.get("n").asInt());
        assertEquals(5, doc.get("seed").asLong());
        assertEquals(2, doc.get("steps").asInt());
        assertEquals(64, doc.get("width").asInt());
        assertEquals("high", doc.get("priority").asText());
        assertEquals("42", doc.at("/metadata/order").asText());
        assertEquals("shapes", doc.at("/metadata/team").asText());
        assertEquals(hook, doc.at("/webhook/url").asText());
        // The progress went to stderr, so stdout is the document alone; the images were downloaded.
        assertTrue(r.err().contains("Submitted "), r.err());
        for (JsonNode image : doc.get("images")) {
            Path file = out.resolve(
                    doc.get("id").asText() + "-" + image.get("index").asInt() + ".png");
            assertTrue(Files.size(file) > 0, file.toString());
        }

        var call = calls.poll(60, TimeUnit.SECONDS);
        assertTrue(call != null, "the dispatcher called the webhook");
        String secret = CliTest.JSON
                .readTree(LocalTenants.file(root).toFile())
                .at("/" + LocalTenants.TENANT + "/webhook_secrets/0")
                .asText();
        assertDoesNotThrow(() -> new WebhookVerifier(secret).verify(call.getKey(), call.getValue()));
        assertTrue(new String(call.getValue()).contains(doc.get("id").asText()));
    }

    @Test
    void noWaitPrintsTheIdAndLeavesTheRequestRunning() {
        CliTest.Run r = CliTest.run(
                "submit",
                "--url",
                fleet.dispatcher().baseUrl(),
                "--root",
                root.toString(),
                "--model",
                fleet.modelId(),
                "--steps",
                "2",
                "--no-wait",
                "a blue square");
        assertEquals(0, r.exit(), r.out() + r.err());
        String id = r.out().strip();
        assertTrue(id.matches("[A-Za-z0-9._:-]+"), r.out());
        try (SdfleetClient client = SdfleetClient.builder(fleet.dispatcher().baseUrl())
                .bearerToken(fleet.apiKey())
                .build()) {
            Generation done = client.waitFor(id, Duration.ofSeconds(60));
            assertEquals(GenerationStatus.COMPLETED, done.status(), done.toString());
        }
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        for (List<String> bad : List.of(
                List.of("--scheduler", "fastest"), List.of("--priority", "urgent"), List.of("--steps", "many"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("submit", "--api-key", "k"));
            argv.addAll(bad);
            argv.add("x");
            CliTest.Run r = CliTest.run(argv.toArray(String[]::new));
            assertEquals(2, r.exit(), bad + ": " + r.err());
            assertTrue(r.err().contains(bad.getFirst()), r.err());
        }
    }
}
