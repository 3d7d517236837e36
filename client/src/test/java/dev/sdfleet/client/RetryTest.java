package dev.sdfleet.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client side of the dispatcher's 503 contract (a 503 with Retry-After while it starts or while partitions move
 * between instances; a real two-instance dispatcher gives it in the dispatcher module's RestartAndOwnershipTest).
 * Here an HTTP server answers 503 a set number of times, which a live dispatcher cannot be made to do on cue.
 */
class RetryTest {
    /** A queued request as the dispatcher describes it (the protocol's Generation document). */
    private static final String QUEUED = """
            {"schema_version": 1, "id": "req-1", "tenant": "acme", "status": "queued", "model": "tiny-sd",
             "prompt": "a red circle", "n": 1, "width": 64, "height": 64, "steps": 20, "priority": "normal",
             "seed": 7, "accepted_at": "2026-03-01T12:00:00Z",
             "images": [{"index": 0, "seed": 7, "status": "queued", "attempt": 1}]}""";

    private static final String PROBLEM = "{\"title\": \"rebalancing\", \"status\": 503, "
            + "\"detail\": \"request ownership is moving between instances; retry\"}";

    private HttpServer server;
    private final AtomicInteger unavailableLeft = new AtomicInteger();
    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/generations", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aGetWaitsOutTheRebalanceAndReturnsTheState() {
        unavailableLeft.set(2);
        try (SdfleetClient api = api(Duration.ofSeconds(30))) {
            Generation state = api.get("req-1");
            assertEquals(GenerationStatus.QUEUED, state.status());
        }
        assertEquals(3, calls.get(), "two 503s, then the answer");
    }

    @Test
    void aRetriedSubmitRepeatsItsIdempotencyKeySoItStaysOneRequest() {
        unavailableLeft.set(1);
        try (SdfleetClient api = api(Duration.ofSeconds(30))) {
            Generation accepted = api.submit(NewGeneration.of("a red circle", "tiny-sd"), "k-1");
            assertEquals("req-1", accepted.id());
        }
        assertEquals(List.of("k-1", "k-1"), idempotencyKeys);
    }

    @Test
    void aDispatcherThatStaysUnavailableIsReportedAfterTheRetryWindow() {
        unavailableLeft.set(Integer.MAX_VALUE);
        try (SdfleetClient api = api(Duration.ofSeconds(2))) {
            SdfleetApiException failure = assertThrows(SdfleetApiException.class, () -> api.get("req-1"));
            assertEquals(503, failure.status());
            assertEquals("rebalancing", failure.code());
            assertTrue(failure.getMessage().contains("ownership is moving"), failure.getMessage());
        }
        // The window counts from the first 503 and Retry-After says 1 s, so a 2 s window always allows a retry.
        assertTrue(calls.get() >= 2, "retried at least once: " + calls.get());
    }

    @Test
    void otherErrorsAreNotRetried() {
        unavailableLeft.set(0);
        try (SdfleetClient api = api(Duration.ofSeconds(30))) {
            SdfleetApiException failure = assertThrows(SdfleetApiException.class, () -> api.get("missing"));
            assertEquals(404, failure.status());
        }
        assertEquals(1, calls.get());
    }

    private SdfleetClient api(Duration retryWindow) {
        return SdfleetClient.builder("http://127.0.0.1:" + server.getAddress().getPort())
                .bearerToken("sk-test")
                .retryPolicy(new RetryPolicy(retryWindow, RetryPolicy.DEFAULT.maxWait()))
                .build();
    }

    private void answer(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key != null) {
            idempotencyKeys.add(key);
        }
        exchange.getRequestBody().readAllBytes();
        if (unavailableLeft.getAndDecrement() > 0) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            JsonAnswers.send(exchange, 503, PROBLEM);
        } else if (exchange.getRequestURI().getPath().endsWith("/missing")) {
            JsonAnswers.send(exchange, 404, "{\"title\": \"not found\", \"status\": 404}");
        } else if (exchange.getRequestMethod().equals("POST")) {
            JsonAnswers.send(exchange, 202, QUEUED);
        } else {
            JsonAnswers.send(exchange, 200, QUEUED);
        }
    }
}
