package dev.sdfleet.bench.fleet;

import dev.sdfleet.dispatcher.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
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
 * can go down (its port refuses connections) and come back on the same address, and it can answer as a hostile
 * receiver would ({@link Behaviour}), recording for each answer how much it wrote and whether the caller hung up first.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One call that reached the receiver. */
    public record Delivery(String webhookId, String body, boolean signatureValid, long arrivedNanos) {

        /** The request a generation.completed or generation.failed message is about, or null for other messages. */
        public String completedRequest() {
            return completedRequestOf(webhookId);
        }
    }

    /** The request whose generation.completed or generation.failed message has {@code webhookId}, else null. */
    public static String completedRequestOf(String webhookId) {
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

    /** How the receiver answers each call, once it has read and checked it. */
    public sealed interface Behaviour {
        /** 204 at once: a healthy receiver. */
        record Healthy() implements Behaviour {}

        /** 200, then the body one byte at a time, {@code every} apart, {@code bytes} in all. */
        record Trickle(Duration every, int bytes) implements Behaviour {}

        /** 200, then a body of {@code bytes} as fast as the caller takes it, in 64 KiB chunks. */
        record Flood(long bytes) implements Behaviour {}
    }

    /**
     * One answer as the receiver saw it.
     *
     * @param webhookId the call's webhook-id
     * @param bytesWritten body bytes the caller took (or the socket buffered) before the answer ended
     * @param cutByCaller whether the caller closed the connection before the answer's end
     * @param nanos from the call's arrival to the answer's end
     */
    public record Answer(String webhookId, long bytesWritten, boolean cutByCaller, long nanos) {}

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
            int requests, int delivered, int missing, int invalidSignatures, int repeats, int changedBodies) {

        /** The calls that miss the target: a completion never delivered, a bad signature, a repeat, a changed body. */
        public int missed() {
            return missing + invalidSignatures + repeats + changedBodies;
        }

        /** For the campaign's table. */
        public String describe() {
            return String.format(
                    "webhooks delivered %d/%d, %d badly signed, %d repeated, %d with changed bodies",
                    delivered, requests, invalidSignatures, repeats, changedBodies);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final byte[] secret;
    private final Behaviour behaviour;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Answer> answers = new ArrayList<>();
    private int answering;
    private final Map<String, Integer> answeringById = new HashMap<>();
    private int mostAtOnceForOneId;
    private final int port;
    private HttpServer server;

    /** A healthy receiver that checks signatures with {@code secret} (the tenant's webhook secret), on a free port. */
    public WebhookReceiver(byte[] secret) {
        this(secret, new Behaviour.Healthy());
    }

    /** A receiver that checks signatures with {@code secret} and answers as {@code behaviour} says. */
    public WebhookReceiver(byte[] secret, Behaviour behaviour) {
        this.secret = secret.clone();
        this.behaviour = behaviour;
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
            switch (behaviour) {
                case Behaviour.Healthy h ->
                    request.response().setStatusCode(204).end();
                case Behaviour.Trickle t -> new Answering(request.response(), id, now).trickle(t);
                case Behaviour.Flood f -> new Answering(request.response(), id, now).flood(f);
            }
        });
    }

    /** One slow or endless answer under way: it ends when its body is out or the caller hangs up. */
    private final class Answering {
        private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);
        private final HttpServerResponse response;
        private final String webhookId;
        private final long started;
        private long written;
        private boolean over;

        Answering(HttpServerResponse response, String webhookId, long started) {
            this.response = response;
            this.webhookId = webhookId;
            this.started = started;
            opened(webhookId);
            response.setStatusCode(200).setChunked(true);
            response.closeHandler(v -> finish(true));
            response.exceptionHandler(e -> finish(true));
        }

        void trickle(Behaviour.Trickle t) {
            if (over) {
                return;
            }
            if (written >= t.bytes()) {
                response.end();
                finish(false);
                return;
            }
            response.write(Buffer.buffer(new byte[] {'x'}));
            written++;
            vertx.setTimer(t.every().toMillis(), id -> trickle(t));
        }

        void flood(Behaviour.Flood f) {
            // Writes while the connection takes them; when its queue is full, goes on once it drains.
            while (!over && written < f.bytes() && !response.writeQueueFull()) {
                response.write(CHUNK);
                written += CHUNK.length();
            }
            if (over) {
                return;
            }
            if (written >= f.bytes()) {
                response.end();
                finish(false);
            } else {
                response.drainHandler(v -> flood(f));
            }
        }

        private void finish(boolean cutByCaller) {
            if (!over) {
                over = true;
                answered(new Answer(webhookId, written, cutByCaller, System.nanoTime() - started));
            }
        }
    }

    private synchronized void opened(String webhookId) {
        answering++;
        int atOnce = answeringById.merge(String.valueOf(webhookId), 1, Integer::sum);
        mostAtOnceForOneId = Math.max(mostAtOnceForOneId, atOnce);
    }

    private synchronized void answered(Answer answer) {
        answering--;
        answeringById.merge(String.valueOf(answer.webhookId()), -1, Integer::sum);
        answers.add(answer);
    }

    /** The most slow or endless answers that were ever under way at once for one webhook-id (the sender's promise: 1). */
    public synchronized int mostAtOnceForOneId() {
        return mostAtOnceForOneId;
    }

    /** The slow or endless answers that have ended, in the order they ended. */
    public synchronized List<Answer> answers() {
        return List.copyOf(answers);
    }

    /** Slow or endless answers still under way. */
    public synchronized int answering() {
        return answering;
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
