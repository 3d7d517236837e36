package dev.sdfleet.dispatcher.webhook;

import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.DeliveryAttempt;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.service.LogContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the webhook calls the stream tasks hand out, on virtual threads (so each call reads top to bottom with
 * {@code await()}), and reports every try on the control topic. The stream task owns retries and backoff; this class
 * only tries once per order. A lost report (crash) is covered by the task's lease: the try is handed out again.
 */
public final class WebhookSender extends VerticleBase implements WebhookOrders {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final int MAX_ERROR_LENGTH = 300;
    /** What is read of a receiver's answer, then discarded: the status decides, the body is never used. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final WebhookSettings settings;
    private final Tenants tenants;
    private final DestinationGuard guard;
    private final Producer<String, byte[]> producer;
    private final String controlTopic;
    private final DispatcherMetrics metrics;
    private final Clock clock;
    /** The webhook-ids with a try under way here: a second hand-out of one waits for the lease instead. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    private volatile Context ctx;
    private HttpClient client;

    public WebhookSender(
            WebhookSettings settings,
            Tenants tenants,
            Producer<String, byte[]> producer,
            String controlTopic,
            DispatcherMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.tenants = tenants;
        this.guard = new DestinationGuard(settings);
        this.producer = producer;
        this.controlTopic = controlTopic;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        ctx = context;
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setConnectTimeout((int) settings.timeout().toMillis()),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        ctx = null;
        return client.close();
    }

    @Override
    public void submit(String requestId, String tenant, Delivery delivery) {
        submit(requestId, tenant, null, delivery);
    }

    @Override
    public void submit(String requestId, String tenant, String traceParent, Delivery delivery) {
        Context target = ctx;
        if (target == null) {
            return;
        }
        // Never two calls of one webhook-id at once (a lease that ran out, a redelivery while a try is under way):
        // the try under way reports, and should its report be lost, the stream task's lease hands it out again.
        if (!inFlight.add(delivery.id())) {
            LOG.info("Webhook {} is being sent already; not sending it twice at once", delivery.id());
            return;
        }
        try {
            target.runOnContext(v -> {
                WebhookTrace call = WebhookTrace.of(requestId, tenant, traceParent, delivery);
                try (LogContext.Scope logs = call.logContext().open()) {
                    deliver(requestId, tenant, delivery, call);
                } finally {
                    inFlight.remove(delivery.id());
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(delivery.id());
            // Vert.x is closing: nothing is lost, the stream task's lease hands the try out again later.
            LOG.debug("Webhook {} not handed out while stopping: {}", delivery.id(), e.toString());
        }
    }

    private void deliver(String requestId, String tenant, Delivery delivery, WebhookTrace call) {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        Integer status = null;
        String error = null;
        boolean permanent = false;
        // One deadline for the whole try: resolving, connecting, the answer's headers and its body. A receiver that
        // trickles a byte now and then would never trip an idle timeout.
        Promise<Void> deadline = Promise.promise();
        long timer = vertx.setTimer(
                settings.timeout().toMillis(),
                id -> deadline.tryFail(new TimeoutException("no complete answer within " + settings.timeout())));
        try {
            URI uri = URI.create(delivery.url());
            InetAddress address = within(vertx.executeBlocking(() -> resolve(uri)), deadline.future());
            status = post(uri, address, tenant, delivery, call, started, deadline.future());
            permanent = status == 410; // Standard Webhooks: 410 Gone means stop sending
        } catch (DestinationGuard.Refused e) {
            error = e.getMessage();
            permanent = true;
        } catch (Exception e) {
            error = describe(e);
        } finally {
            vertx.cancelTimer(timer);
            deadline.tryComplete();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        DeliveryAttempt attempt =
                new DeliveryAttempt(delivery.nextAttemptNumber(), started, took.toMillis(), status, error);
        metrics.webhook(attempt.succeeded() ? "delivered" : permanent ? "refused" : "failed", took);
        if (attempt.succeeded()) {
            LOG.info("Webhook {} try {} delivered: HTTP {}", delivery.id(), attempt.number(), status);
        } else {
            LOG.info(
                    "Webhook {} try {} failed: {}",
                    delivery.id(),
                    attempt.number(),
                    error != null ? error : "HTTP " + status);
        }
        ControlMessage report = ControlMessage.attempt(requestId, delivery.id(), attempt, permanent);
        producer.send(new ProducerRecord<>(controlTopic, requestId, StateJson.write(report)), (md, e) -> {
            if (e != null) {
                LOG.warn(
                        "Could not record webhook try {} of {} (it will be tried again): {}",
                        attempt.number(),
                        delivery.id(),
                        e.toString());
            }
        });
    }

    private InetAddress resolve(URI uri) throws DestinationGuard.Refused {
        return guard.resolve(uri);
    }

    private int post(
            URI uri,
            InetAddress address,
            String tenant,
            Delivery delivery,
            WebhookTrace call,
            Instant now,
            Future<Void> deadline) {
        long timestamp = now.getEpochSecond();
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(delivery.url())
                // Pinned to the address the guard checked; Host and TLS name still come from the URL.
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .setConnectTimeout(settings.timeout().toMillis())
                .putHeader("content-type", "application/json")
                .putHeader("user-agent", "sdfleet-dispatcher")
                .putHeader(WebhookSignature.ID_HEADER, delivery.id())
                .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                .putHeader(TraceParent.HEADER, call.trace().header());
        if (!tenants.webhookKeys(tenant).isEmpty()) {
            // A tenant without secrets (possible only for Kafka ingress) gets unsigned calls.
            options.putHeader(
                    WebhookSignature.SIGNATURE_HEADER,
                    WebhookSignature.sign(tenants.webhookKeys(tenant), delivery.id(), timestamp, delivery.body()));
        }
        Future<HttpClientRequest> opening = client.request(options);
        // Past the deadline the call is reset: its connection closes and every step still waiting fails.
        opening.onSuccess(request -> deadline.onFailure(e -> request.reset(0, e)));
        HttpClientRequest request = within(opening, deadline);
        HttpClientResponse response = within(request.send(Buffer.buffer(delivery.body())), deadline);
        within(discardBody(request, response), deadline);
        return response.statusCode();
    }

    /**
     * Reads the answer's body to its end without keeping it, so the connection goes back to the pool; past
     * {@value #MAX_RESPONSE_BYTES} bytes it stops reading and closes the connection instead (an endless body costs
     * one bounded read, no memory).
     */
    private static Future<Void> discardBody(HttpClientRequest request, HttpClientResponse response) {
        Promise<Void> done = Promise.promise();
        long[] read = {0};
        response.exceptionHandler(done::tryFail);
        response.endHandler(v -> done.tryComplete());
        response.handler(chunk -> {
            read[0] += chunk.length();
            if (read[0] > MAX_RESPONSE_BYTES && done.tryComplete()) {
                request.reset(0, new IllegalStateException("answer longer than " + MAX_RESPONSE_BYTES + " bytes"));
            }
        });
        return done.future();
    }

    /** Waits for {@code step}, or fails when the try's deadline passes first. */
    private static <T> T within(Future<T> step, Future<Void> deadline) {
        Promise<T> first = Promise.promise();
        step.onComplete(r -> {
            if (r.succeeded()) {
                first.tryComplete(r.result());
            } else {
                first.tryFail(r.cause());
            }
        });
        deadline.onFailure(first::tryFail);
        return first.future().await();
    }

    private static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }
}
