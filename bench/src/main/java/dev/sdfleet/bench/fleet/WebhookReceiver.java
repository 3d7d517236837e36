package dev.sdfleet.bench.fleet;

import dev.sdfleet.dispatcher.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A webhook receiver on loopback, as a tenant would run one: it verifies every call's signature with the tenant's
 * secret and records each delivery (webhook-id, body, whether the signature held, when it came), so a bench can check
 * from outside that every completion arrived, signed, and that retries of one webhook-id carried the same body. It
 * can go down (its port refuses connections) and come back on the same address.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One call that reached the receiver. */
    public record Delivery(String webhookId, String body, boolean signatureValid, long arrivedNanos) {

        /** The request a generation.completed or generation.failed message is about, or null for other messages. */
        public String completedRequest() {
            if (webhookId == null || !webhookId.startsWith("msg_")) {
                return null;
            }
            for (String end : List.of("_completed", "_failed")) {
                if (webhookId.endsWith(end)) {
                    return webhookId.substring(4, webhookId.length() - end.length());
                }
            }
            return null;
        }
    }

    /**
     * What the deliveries add up to for a set of requests.
     *
     * @param requests requests whose completion webhook was awaited
     * @param delivered those whose completion webhook arrived with a valid signature
     * @param missing those whose completion webhook never arrived validly
     * @param invalidSignatures calls (any request) whose signature did not verify
     * @param repeats calls beyond the first per webhook-id: retries the receiver could not tell had succeeded, or
     *     duplicates
     * @param changedBodies webhook-ids whose calls did not all carry the same body
     */
    public record Tally(
            int requests, int delivered, int missing, int invalidSignatures, int repeats, int changedBodies) {}

    private final Vertx vertx = Vertx.vertx();
    private final byte[] secret;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final int port;
    private HttpServer server;

    /** A receiver that checks signatures with {@code secret} (the tenant's webhook secret), on a free port. */
    public WebhookReceiver(byte[] secret) {
        this.secret = secret.clone();
        this.server = listen(0);
        this.port = server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hooks";
    }

    /** Stops listening: calls fail to connect until {@link #up()}. */
    public synchronized void down() {
        if (server != null) {
            server.close().await();
            server = null;
        }
    }

    /** Listens again, on the same port. */
    public synchronized void up() {
        if (server == null) {
            server = listen(port);
        }
    }

    private HttpServer listen(int onPort) {
        return vertx.createHttpServer()
                .requestHandler(this::receive)
                .listen(onPort, "127.0.0.1")
                .await();
    }

    private void receive(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            long now = System.nanoTime();
            String id = request.getHeader(WebhookSignature.ID_HEADER);
            String text = body.toString();
            record(new Delivery(id, text, verified(request, id, text), now));
            request.response().setStatusCode(204).end();
        });
    }

    private boolean verified(HttpServerRequest request, String id, String body) {
        try {
            return WebhookSignature.verify(
                    secret,
                    id,
                    Long.parseLong(request.getHeader(WebhookSignature.TIMESTAMP_HEADER)),
                    body,
                    request.getHeader(WebhookSignature.SIGNATURE_HEADER));
        } catch (RuntimeException e) {
            return false; // a missing or malformed header is an invalid signature, not a receiver failure
        }
    }

    private synchronized void record(Delivery delivery) {
        deliveries.add(delivery);
    }

    /** Every call so far, in arrival order. */
    public synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** When each request's first validly signed completion webhook arrived (System.nanoTime()). */
    public Map<String, Long> completionArrivals() {
        Map<String, Long> arrivals = new HashMap<>();
        for (Delivery d : deliveries()) {
            if (d.signatureValid() && d.completedRequest() != null) {
                arrivals.putIfAbsent(d.completedRequest(), d.arrivedNanos());
            }
        }
        return arrivals;
    }

    /** Waits up to {@code timeout} until each request's completion webhook arrived, then tallies. */
    public Tally await(Collection<String> requestIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!completionArrivals().keySet().containsAll(requestIds) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return tally(requestIds);
    }

    /** The tally for {@code requestIds} now. */
    public Tally tally(Collection<String> requestIds) {
        List<Delivery> all = deliveries();
        Set<String> arrived = new HashSet<>(completionArrivals().keySet());
        arrived.retainAll(Set.copyOf(requestIds));
        Map<String, Set<String>> bodies = new HashMap<>();
        int invalid = 0;
        for (Delivery d : all) {
            if (!d.signatureValid()) {
                invalid++;
            }
            bodies.computeIfAbsent(String.valueOf(d.webhookId()), id -> new HashSet<>())
                    .add(d.body());
        }
        int repeats = all.size()
                - (int) all.stream().map(Delivery::webhookId).distinct().count();
        int changed = (int) bodies.values().stream().filter(b -> b.size() > 1).count();
        return new Tally(
                requestIds.size(), arrived.size(), requestIds.size() - arrived.size(), invalid, repeats, changed);
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
