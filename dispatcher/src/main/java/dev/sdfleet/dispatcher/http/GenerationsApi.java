package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Fingerprints;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.streams.Admissions;
import dev.sdfleet.dispatcher.streams.Outputs;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import dev.sdfleet.dispatcher.webhook.DestinationGuard;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/generations}: admit, query, cancel, redeliver. Every handler runs on a virtual thread and waits with
 * {@code await()}; a call about a request id is served by the instance owning the id's partition (forwarded there
 * if need be), which is what makes a GET right on any instance and the idempotency check race-free.
 */
final class GenerationsApi {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationsApi.class);
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7e]{1,255}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final DispatcherConfig config;
    private final Supplier<StreamsRunner> streams;
    private final Producer<String, byte[]> producer;
    private final Admissions admissions;
    private final DispatcherMetrics metrics;
    private final DestinationGuard guard;
    private final Forwarder forwarder;
    private final Clock clock;
    private final Vertx vertx;
    /** Idempotency keys being admitted on this instance, by derived request id: closes the check-then-act gap. */
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

    private record InFlight(String fingerprint, CompletableFuture<Void> done) {
    }

    GenerationsApi(DispatcherConfig config, Supplier<StreamsRunner> streams, Producer<String, byte[]> producer,
                   Admissions admissions, DispatcherMetrics metrics, Forwarder forwarder, Clock clock, Vertx vertx) {
        this.config = config;
        this.streams = streams;
        this.producer = producer;
        this.admissions = admissions;
        this.metrics = metrics;
        this.guard = new DestinationGuard(config.webhooks());
        this.forwarder = forwarder;
        this.clock = clock;
        this.vertx = vertx;
    }

    void create(RoutingContext ctx) {
        long started = System.nanoTime();
        String tenant = Auth.tenant(ctx);
        String key = ctx.request().getHeader("idempotency-key");
        List<FieldError> problems = new ArrayList<>();
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            problems.add(new FieldError("Idempotency-Key", "must be 1..255 printable ASCII characters"));
        }
        GenerationRequest request = null;
        try {
            byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0]
                    : ctx.body().buffer().getBytes();
            request = Codec.decode(body, GenerationRequest.class);
            problems.addAll(admissionProblems(request, tenant));
        } catch (ValidationException e) {
            problems.addAll(e.errors());
        }
        if (!problems.isEmpty()) {
            metrics.request("http", "invalid");
            Problems.send(ctx, 400, "invalid request", "the request has " + problems.size() + " invalid field(s)",
                    problems);
            return;
        }
        String id = key != null ? derivedId(tenant, key) : "g-" + UUID.randomUUID().toString().replace("-", "");
        GenerationRequest admitted = request.toBuilder().requestId(id).tenant(tenant).build();
        if (routedElsewhere(ctx, id)) {
            return;
        }
        admit(ctx, admitted, key != null, started);
    }

    private List<FieldError> admissionProblems(GenerationRequest request, String tenant) {
        List<FieldError> problems = new ArrayList<>();
        if (request.requestId() != null) {
            problems.add(new FieldError("request_id", "is assigned by the dispatcher; send an Idempotency-Key "
                    + "header to make retries safe"));
        }
        if (request.webhook() != null) {
            guard.refuseAtAdmission(request.webhook().url())
                    .ifPresent(why -> problems.add(new FieldError("webhook.url", why)));
            if (config.tenants().webhookKeys(tenant).isEmpty()) {
                problems.add(new FieldError("webhook", "needs a webhook signing secret for your tenant, and none "
                        + "is configured"));
            }
        }
        return problems;
    }

    private void admit(RoutingContext ctx, GenerationRequest request, boolean idempotent, long started) {
        String id = request.requestId();
        String fingerprint = Fingerprints.of(request);
        InFlight mine = new InFlight(fingerprint, new CompletableFuture<>());
        if (idempotent) {
            Optional<RequestState> existing = lookup(ctx, id);
            if (existing == null) {
                return;
            }
            if (existing.isPresent()) {
                answerRepeat(ctx, existing.get(), fingerprint);
                return;
            }
            InFlight other = inFlight.putIfAbsent(id, mine);
            if (other != null) {
                // The same key is being admitted right now: wait for it, then answer as a repeat.
                awaitQuietly(Future.fromCompletionStage(other.done(), vertx.getOrCreateContext()));
                Optional<RequestState> now = lookup(ctx, id);
                if (now != null) {
                    if (now.isPresent()) {
                        answerRepeat(ctx, now.get(), fingerprint);
                    } else {
                        Problems.send(ctx, 409, "conflict", "a request with this Idempotency-Key is being admitted");
                    }
                }
                return;
            }
        }
        CompletableFuture<String> stored = admissions.expect(id);
        try {
            Headers headers = Outputs.headers(CloudEventHeaders.forMessage(request, config.source(), now()));
            headers.add(Outputs.INGRESS_HEADER, "http".getBytes(StandardCharsets.UTF_8));
            send(new ProducerRecord<>(config.topics().requests(), null, id, Codec.encode(request), headers)).await();
            String storedFingerprint = awaitQuietly(Future.fromCompletionStage(stored, vertx.getOrCreateContext())
                    .timeout(config.admitWait().toMillis(), TimeUnit.MILLISECONDS));
            if (storedFingerprint != null && !storedFingerprint.equals(fingerprint)) {
                metrics.request("http", "conflict");
                Problems.send(ctx, 409, "conflict", "this Idempotency-Key was used for a different request");
                return;
            }
            if (storedFingerprint == null) {
                LOG.warn("Request {} is on the requests topic but not in the store after {} ms (rebalancing?)", id,
                        config.admitWait().toMillis());
            }
            Optional<RequestState> state = storedFingerprint == null ? Optional.empty() : localOrEmpty(id);
            ObjectNode view = state.map(RequestView::of).orElseGet(() -> minimalView(id));
            metrics.request("http", "accepted");
            metrics.admitted(Duration.ofNanos(System.nanoTime() - started));
            ctx.response().setStatusCode(202).putHeader("location", location(id))
                    .putHeader("content-type", "application/json").end(view.toString());
        } catch (RuntimeException e) {
            LOG.warn("Could not admit request {}: {}", id, e.toString());
            metrics.request("http", "unavailable");
            Problems.send(ctx, 503, "unavailable", "the request could not be stored; retry (with the same "
                    + "Idempotency-Key to be safe)");
        } finally {
            admissions.forget(id, stored);
            if (idempotent) {
                inFlight.remove(id, mine);
                mine.done().complete(null);
            }
        }
    }

    private void answerRepeat(RoutingContext ctx, RequestState existing, String fingerprint) {
        if (!existing.fingerprint().equals(fingerprint)) {
            metrics.request("http", "conflict");
            Problems.send(ctx, 409, "conflict", "this Idempotency-Key was used for a different request");
            return;
        }
        metrics.request("http", "replayed");
        ctx.response().setStatusCode(202).putHeader("location", location(existing.requestId()))
                .putHeader("idempotent-replayed", "true").putHeader("content-type", "application/json")
                .end(RequestView.of(existing).toString());
    }

    void get(RoutingContext ctx) {
        withOwnedRequest(ctx, state -> ctx.response().putHeader("content-type", "application/json")
                .end(RequestView.of(state).toString()));
    }

    void cancel(RoutingContext ctx) {
        withOwnedRequest(ctx, state -> {
            if (state.finished()) {
                Problems.send(ctx, 409, "already finished", "the request finished as "
                        + RequestView.statusOf(state) + "; there is nothing to cancel");
                return;
            }
            CancelRequest cancel = CancelRequest.ofRequest(state.requestId(), "cancelled through the API", now());
            publish(config.topics().cancels(), state.requestId(), cancel);
            ObjectNode body = StateJson.MAPPER.createObjectNode().put("id", state.requestId())
                    .put("status", "cancelling");
            ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(body.toString());
        });
    }

    void redeliver(RoutingContext ctx) {
        String deliveryId = ctx.pathParam("delivery");
        withOwnedRequest(ctx, state -> {
            if (state.delivery(deliveryId).isEmpty()) {
                Problems.send(ctx, 404, "not found", "this request has no webhook message " + deliveryId);
                return;
            }
            ControlMessage command = ControlMessage.redeliver(state.requestId(), deliveryId, now());
            send(new ProducerRecord<>(config.controlTopic(), state.requestId(), StateJson.write(command))).await();
            ObjectNode body = StateJson.MAPPER.createObjectNode().put("id", deliveryId).put("status", "pending");
            ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(body.toString());
        });
    }

    /** Runs {@code action} on the caller's request, or answers 404 (unknown, or another tenant's), 503 or forwards. */
    private void withOwnedRequest(RoutingContext ctx, Consumer<RequestState> action) {
        String id = ctx.pathParam("id");
        if (!REQUEST_ID.matcher(id).matches()) {
            Problems.send(ctx, 404, "not found", "no such request");
            return;
        }
        if (routedElsewhere(ctx, id)) {
            return;
        }
        Optional<RequestState> state = lookup(ctx, id);
        if (state == null) {
            return;
        }
        // Another tenant's request is answered exactly like a missing one: ids must not be probeable.
        if (state.isEmpty() || !state.get().tenant().equals(Auth.tenant(ctx))) {
            Problems.send(ctx, 404, "not found", "no such request");
            return;
        }
        try {
            action.accept(state.get());
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), e.toString());
            Problems.send(ctx, 503, "unavailable", "Kafka did not take the command; retry");
        }
    }

    /** Forwards to the owning instance when that is another one; true when the call was handled so. */
    private boolean routedElsewhere(RoutingContext ctx, String id) {
        StreamsRunner runner = streams.get();
        if (runner == null) {
            Problems.send(ctx, 503, "starting", "the dispatcher is starting; retry");
            return true;
        }
        Optional<HostInfo> owner = runner.remoteOwner(id);
        if (owner.isEmpty()) {
            return false;
        }
        if (Forwarder.forwarded(ctx)) {
            Problems.send(ctx, 503, "rebalancing", "request ownership is moving between instances; retry");
        } else {
            forwarder.forward(ctx, owner.get());
        }
        return true;
    }

    /** The request from the local store; null (after answering 503) while the store is not queryable. */
    private Optional<RequestState> lookup(RoutingContext ctx, String id) {
        try {
            return streams.get().local(id);
        } catch (InvalidStateStoreException e) {
            Problems.send(ctx, 503, "rebalancing", "the request store is being restored or moved; retry");
            return null;
        }
    }

    private Optional<RequestState> localOrEmpty(String id) {
        try {
            return streams.get().local(id);
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    private void publish(String topic, String key, ProtocolMessage message) {
        send(new ProducerRecord<>(topic, null, key, Codec.encode(message),
                Outputs.headers(CloudEventHeaders.forMessage(message, config.source(), now())))).await();
    }

    private Future<Void> send(ProducerRecord<String, byte[]> record) {
        Promise<Void> promise = Promise.promise();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                promise.fail(error);
            } else {
                promise.complete();
            }
        });
        return Future.fromCompletionStage(promise.future().toCompletionStage(), vertx.getOrCreateContext());
    }

    private static <T> T awaitQuietly(Future<T> future) {
        try {
            return future.await();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ObjectNode minimalView(String id) {
        return StateJson.MAPPER.createObjectNode().put("id", id).put("status", "accepted");
    }

    static String derivedId(String tenant, String key) {
        return "k-" + Fingerprints.sha256Hex((tenant + "\n" + key).getBytes(StandardCharsets.UTF_8)).substring(0, 40);
    }

    private static String location(String id) {
        return "/v1/generations/" + id;
    }

    private Instant now() {
        return clock.instant();
    }
}
