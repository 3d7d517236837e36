package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.state.Fingerprints;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.dispatcher.streams.Admissions;
import dev.sdfleet.dispatcher.webhook.DestinationGuard;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.TraceParent;
import dev.sdfleet.protocol.ValidationException;
import dev.sdfleet.service.LogContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/generations}: validate, name the request (from the Idempotency-Key, or fresh), hand it to the
 * instance owning that name, publish it on the requests topic and answer once the stream task has stored it. The
 * 202 therefore means stored and visible, and racing submissions of one key learn which body won.
 */
final class AdmitHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AdmitHandler.class);
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7e]{1,255}");

    private final DispatcherConfig config;
    private final OwnerRouting routing;
    private final Publisher publisher;
    private final Admissions admissions;
    private final DispatcherMetrics metrics;
    private final DestinationGuard guard;
    private final TenantGate gate;
    private final Clock clock;
    private final Vertx vertx;
    private final ImageLinks imageLinks;
    /** Idempotency keys being admitted on this instance, by request id: closes the check-then-act gap. */
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

    private record InFlight(String fingerprint, CompletableFuture<Void> done) {}

    AdmitHandler(
            DispatcherConfig config,
            OwnerRouting routing,
            Publisher publisher,
            Admissions admissions,
            DispatcherMetrics metrics,
            Clock clock,
            Vertx vertx,
            ImageLinks imageLinks) {
        this.config = config;
        this.routing = routing;
        this.publisher = publisher;
        this.admissions = admissions;
        this.metrics = metrics;
        this.guard = new DestinationGuard(config.webhooks());
        this.gate = new TenantGate(config.tenants(), System::nanoTime);
        this.clock = clock;
        this.vertx = vertx;
        this.imageLinks = imageLinks;
    }

    void handle(RoutingContext ctx) {
        long started = System.nanoTime();
        String tenant = Auth.tenant(ctx);
        String key = ctx.request().getHeader("idempotency-key");
        Optional<TenantGate.RateRefusal> limited = gate.take(tenant);
        if (limited.isPresent()) {
            metrics.request("http", "rate_limited");
            metrics.tenantRequest(tenant, "rate_limited");
            Problems.tooManyRequests(
                    ctx,
                    limited.get().limit(),
                    limited.get().retryAfterSeconds(),
                    limited.get().detail());
            return;
        }
        List<FieldError> problems = new ArrayList<>();
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            problems.add(new FieldError("Idempotency-Key", "must be 1..255 printable ASCII characters"));
        }
        GenerationRequest request = null;
        try {
            byte[] body = ctx.body() == null || ctx.body().buffer() == null
                    ? new byte[0]
                    : ctx.body().buffer().getBytes();
            request = Codec.decode(config.models().withDefaults(body), GenerationRequest.class);
            problems.addAll(config.models().problems(request));
            problems.addAll(admissionProblems(request, tenant));
            config.tenants().limits(tenant).sizeProblem(request).ifPresent(tooLarge -> {
                metrics.tenantRequest(tenant, "too_large");
                problems.add(tooLarge);
            });
        } catch (ValidationException e) {
            problems.addAll(e.errors());
        }
        String id = key != null
                ? derivedId(tenant, key)
                : "g-" + UUID.randomUUID().toString().replace("-", "");
        GenerationRequest named = null;
        if (problems.isEmpty()) {
            try {
                // Rules that need the tenant (whose inputs it may read) hold once it is set: still the caller's 400.
                named = request.toBuilder().requestId(id).tenant(tenant).build();
            } catch (ValidationException e) {
                problems.addAll(e.errors());
            }
        }
        if (!problems.isEmpty()) {
            metrics.request("http", "invalid");
            Problems.send(
                    ctx, 400, "invalid request", "the request has " + problems.size() + " invalid field(s)", problems);
            return;
        }
        if (!routing.serveHere(ctx, id)) {
            return;
        }
        if (key == null || claimKey(ctx, named)) {
            admit(ctx, named, key != null, started);
        }
    }

    /** The request id of an Idempotency-Key: per tenant, so two tenants' keys never meet. */
    static String derivedId(String tenant, String key) {
        return "k-"
                + Fingerprints.sha256Hex((tenant + "\n" + key).getBytes(StandardCharsets.UTF_8))
                        .substring(0, 40);
    }

    private List<FieldError> admissionProblems(GenerationRequest request, String tenant) {
        List<FieldError> problems = new ArrayList<>();
        if (request.requestId() != null) {
            problems.add(new FieldError(
                    "request_id",
                    "is assigned by the dispatcher; send an Idempotency-Key " + "header to make retries safe"));
        }
        problems.addAll(request.foreignInputKeys(tenant));
        if (request.webhook() != null) {
            guard.refuseAtAdmission(request.webhook().url())
                    .ifPresent(why -> problems.add(new FieldError("webhook.url", why)));
            if (config.tenants().webhookKeys(tenant).isEmpty()) {
                problems.add(new FieldError(
                        "webhook", "needs a webhook signing secret for your tenant, and none " + "is configured"));
            }
        }
        return problems;
    }

    /**
     * For a keyed request: answers a repeat (same body: the stored request; other body: 409) or claims the key on
     * this instance. True when the caller should go on and admit.
     */
    private boolean claimKey(RoutingContext ctx, GenerationRequest request) {
        String id = request.requestId();
        String fingerprint = Fingerprints.of(request);
        switch (routing.lookup(id)) {
            case Route.Unavailable unavailable -> {
                OwnerRouting.answer(ctx, unavailable);
                return false;
            }
            case Lookup.Found(RequestState existing) -> {
                answerRepeat(ctx, existing, fingerprint);
                return false;
            }
            case Lookup.Missing missing -> {}
        }
        InFlight other = inFlight.putIfAbsent(id, new InFlight(fingerprint, new CompletableFuture<>()));
        if (other == null) {
            return true;
        }
        // The same key is being admitted right now: wait for that, then answer as a repeat.
        awaitQuietly(Future.fromCompletionStage(other.done(), vertx.getOrCreateContext()));
        switch (routing.lookup(id)) {
            case Route.Unavailable unavailable -> OwnerRouting.answer(ctx, unavailable);
            case Lookup.Found(RequestState now) -> answerRepeat(ctx, now, fingerprint);
            case Lookup.Missing missing ->
                Problems.send(ctx, 409, "conflict", "a request with this Idempotency-Key is being admitted; retry");
        }
        return false;
    }

    /** Admits in the caller's trace (its valid {@code traceparent}, else a new one), logged with the request. */
    private void admit(RoutingContext ctx, GenerationRequest request, boolean keyed, long started) {
        TraceParent trace = AdmissionTrace.of(ctx.request().getHeader(TraceParent.HEADER));
        try (LogContext.Scope logs = AdmissionTrace.logContext(request, trace).open()) {
            admit(ctx, request, trace, keyed, started);
        }
    }

    private void admit(RoutingContext ctx, GenerationRequest request, TraceParent trace, boolean keyed, long started) {
        String id = request.requestId();
        String fingerprint = Fingerprints.of(request);
        CompletableFuture<RequestState> stored = admissions.expect(id);
        try {
            publisher
                    .publishAdmitted(config.topics().requests(), request, trace, clock.instant())
                    .await();
            RequestState storedState = awaitQuietly(Future.fromCompletionStage(stored, vertx.getOrCreateContext())
                    .timeout(config.admitWait().toMillis(), TimeUnit.MILLISECONDS));
            if (storedState != null && !storedState.fingerprint().equals(fingerprint)) {
                metrics.request("http", "conflict");
                Problems.send(ctx, 409, "conflict", "this Idempotency-Key was used for a different request");
                return;
            }
            if (storedState == null) {
                LOG.warn(
                        "Request {} is on the requests topic but not in the store after {} ms (rebalancing?)",
                        id,
                        config.admitWait().toMillis());
            }
            // The state the stream task signalled is what the store holds: no second read of the store.
            String view = storedState != null
                    ? RequestView.json(storedState, imageLinks)
                    : StateJson.MAPPER
                            .createObjectNode()
                            .put("id", id)
                            .put("status", "accepted")
                            .toString();
            metrics.request("http", "accepted");
            LOG.info("Admitted request {} for model {}", id, request.model());
            metrics.tenantRequest(request.tenant(), "admitted");
            metrics.admitted(Duration.ofNanos(System.nanoTime() - started));
            ctx.response()
                    .setStatusCode(202)
                    .putHeader("location", RequestView.location(id))
                    .putHeader(TraceParent.HEADER, trace.header())
                    .putHeader("content-type", "application/json")
                    .end(view);
        } catch (Exception e) { // not only RuntimeException: await() rethrows checked failures as they are
            LOG.warn("Could not admit request {}: {}", id, e.toString());
            metrics.request("http", "unavailable");
            Problems.send(
                    ctx,
                    503,
                    "unavailable",
                    "the request could not be stored; retry (with the same " + "Idempotency-Key to be safe)");
        } finally {
            admissions.forget(id, stored);
            if (keyed) {
                InFlight mine = inFlight.remove(id);
                if (mine != null) {
                    mine.done().complete(null);
                }
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
        ctx.response()
                .setStatusCode(202)
                .putHeader("location", RequestView.location(existing.requestId()))
                .putHeader("idempotent-replayed", "true")
                .putHeader("content-type", "application/json")
                .end(RequestView.json(existing, imageLinks));
    }

    private static <T> T awaitQuietly(Future<T> future) {
        try {
            return future.await();
        } catch (Exception e) {
            return null; // timed out or failed: the caller decides from the absence
        }
    }
}
