package dev.sdfleet.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link SdfleetClient#waitFor} follows a request: through the event stream when the dispatcher offers it (one
 * GET at the end, for fresh links), by polling when it does not, and with a timeout while the stream stays silent.
 * An HTTP server plays the dispatcher, so that each way can be forced; the real dispatcher's stream is followed in
 * {@code SdfleetClientTest}.
 */
class WaitForTest {
    private static String doc(String status, String image) {
        return ("{\"schema_version\": 1, \"id\": \"req-1\", \"tenant\": \"acme\", \"status\": \"%s\", \"model\":"
                        + " \"tiny-sd\", \"prompt\": \"a red circle\", \"n\": 1, \"width\": 64, \"height\": 64,"
                        + " \"steps\": 20, \"priority\": \"normal\", \"seed\": 7, \"accepted_at\": \"2026-03-01T12:00:00Z\","
                        + " \"images\": [{\"index\": 0, \"seed\": 7, \"status\": \"%s\", \"attempt\": 1}]}")
                .formatted(status, image);
    }

    private static final String QUEUED = doc("queued", "queued");
    private static final String RUNNING = doc("in_progress", "running");
    private static final String DONE = doc("failed", "failed")
            .replace(
                    "\"attempt\": 1}",
                    "\"attempt\": 1,"
                            + " \"error\": {\"reason\": \"internal\", \"message\": \"x\", \"retryable\": false}}");

    private HttpServer server;
    private volatile String events = "stream";
    private final AtomicInteger gets = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/generations", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theStreamCarriesEveryChangeAndOneGetFetchesTheEnd() {
        List<GenerationStatus> seen = new CopyOnWriteArrayList<>();
        try (SdfleetClient api = api()) {
            Generation done = api.waitFor("req-1", Duration.ofSeconds(30), g -> seen.add(g.status()));
            assertEquals(GenerationStatus.FAILED, done.status());
        }
        assertEquals(List.of(GenerationStatus.QUEUED, GenerationStatus.IN_PROGRESS, GenerationStatus.FAILED), seen);
        assertEquals(1, gets.get(), "only the final GET: the states came on the stream");
    }

    @Test
    void withoutAStreamItPolls() {
        events = "missing";
        List<GenerationStatus> seen = new CopyOnWriteArrayList<>();
        try (SdfleetClient api = api()) {
            Generation done = api.waitFor("req-1", Duration.ofSeconds(30), g -> seen.add(g.status()));
            assertEquals(GenerationStatus.FAILED, done.status());
        }
        assertEquals(List.of(GenerationStatus.QUEUED, GenerationStatus.FAILED), seen);
        assertEquals(2, gets.get(), "queued, then the end");
    }

    @Test
    void aSilentStreamTimesOutWithTheLastStateSeen() {
        events = "silent";
        try (SdfleetClient api = api()) {
            WaitTimeoutException timeout = assertThrows(
                    WaitTimeoutException.class, () -> api.waitFor("req-1", Duration.ofSeconds(1), g -> {}));
            assertEquals(GenerationStatus.QUEUED, timeout.last().status());
        }
    }

    private SdfleetClient api() {
        return SdfleetClient.builder("http://127.0.0.1:" + server.getAddress().getPort())
                .bearerToken("sk-test")
                .pollInterval(Duration.ofMillis(50))
                .build();
    }

    private void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (!exchange.getRequestURI().getPath().endsWith("/events")) {
            int n = gets.incrementAndGet();
            boolean streamed = events.equals("stream");
            JsonAnswers.send(exchange, 200, streamed || n > 1 ? DONE : QUEUED);
            return;
        }
        if (events.equals("missing")) {
            JsonAnswers.send(exchange, 404, "{\"title\": \"not found\", \"status\": 404}");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, 1, QUEUED);
            if (events.equals("silent")) {
                Thread.sleep(5_000);
                return;
            }
            event(out, 2, RUNNING);
            event(out, 3, DONE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client hung up
        }
    }

    private static void event(OutputStream out, int id, String json) throws IOException {
        out.write(("id: " + id + "\nevent: generation.progress\ndata: " + json + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
