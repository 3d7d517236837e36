package dev.sdfleet.dispatcher.metrics;

import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.Priority;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dispatcher's meters, in one Prometheus registry (names as on the worker: {@code sdfleet.*}). Request outcomes
 * are counted where they are decided (HTTP handler or stream task); queue gauges read the {@link QueuedWork}
 * the stream tasks tally.
 */
public final class DispatcherMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer admit;
    private final Timer webhookLatency;

    public DispatcherMetrics(QueuedWork queue) {
        this(queue, Set.of());
    }

    /**
     * @param tenants the configured tenants: the per-tenant gauges exist for these only, so a Kafka publisher naming
     *     new tenants cannot grow the series
     */
    public DispatcherMetrics(QueuedWork queue, Collection<String> tenants) {
        admit = Timer.builder("sdfleet.dispatcher.admit")
                .description("POST /v1/generations: from the request to the 202, broker round trip included")
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(200))
                .register(registry);
        webhookLatency = Timer.builder("sdfleet.dispatcher.webhook.latency")
                .description("One webhook try, from the call to the receiver's answer or the failure")
                .publishPercentileHistogram()
                .register(registry);
        for (Priority priority : Priority.values()) {
            Gauge.builder("sdfleet.dispatcher.jobs.queued", queue, q -> q.queued(priority))
                    .description("Jobs published and not finished, on the partitions this instance owns")
                    .tag("priority", priority.id())
                    .register(registry);
        }
        Gauge.builder("sdfleet.dispatcher.queued.gpu.seconds", queue, QueuedWork::queuedGpuSeconds)
                .description("Queued work in GPU-seconds: sum of width*height*steps over the calibrated rate "
                        + "(the signal to autoscale on)")
                .register(registry);
        Gauge.builder("sdfleet.dispatcher.oldest.unfinished.age", queue, DispatcherMetrics::oldestAgeSeconds)
                .description("Age of the oldest unfinished request on this instance's partitions (0 when none); the"
                        + " dispatcher fails a request with no result for SDFLEET_MAX_REQUEST_AGE")
                .baseUnit("seconds")
                .register(registry);
        for (String tenant : tenants.stream().sorted().toList()) {
            Gauge.builder("sdfleet.dispatcher.tenant.images.released", queue, q -> q.released(tenant))
                    .description("The tenant's images released to the workers (published, not ended) on this"
                            + " instance's partitions; at most max_images_in_flight per partition")
                    .tag("tenant", tenant)
                    .register(registry);
            Gauge.builder("sdfleet.dispatcher.tenant.images.held", queue, q -> q.held(tenant))
                    .description("The tenant's images accepted and held back in the dispatcher under its"
                            + " max_images_in_flight, on this instance's partitions")
                    .tag("tenant", tenant)
                    .register(registry);
        }
        // What the alerts watch exists from the start at 0: Prometheus' increase() misses a series' first sample.
        for (String outcome : new String[] {"delivered", "failed", "refused"}) {
            webhookCounter(outcome);
        }
        givenUpCounter();
        threadFailures();
    }

    private static double oldestAgeSeconds(QueuedWork queue) {
        Instant oldest = queue.oldestUnfinished();
        return oldest == null
                ? 0
                : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * A request reached an end at ingress: accepted, replayed (idempotent repeat), conflict, invalid, unauthorized,
     * unavailable, rejected (Kafka ingress, dead-lettered), duplicate (Kafka ingress repeat).
     */
    public void request(String ingress, String outcome) {
        counter(
                        "sdfleet.dispatcher.requests",
                        "Generation requests by ingress and outcome",
                        "ingress",
                        ingress,
                        "outcome",
                        outcome)
                .increment();
    }

    /**
     * A tenant's request at the HTTP door: {@code admitted}, or refused by one of its limits ({@code rate_limited},
     * {@code too_large}). Tagged by tenant: the tenants file bounds the series.
     */
    public void tenantRequest(String tenant, String outcome) {
        counter(
                        "sdfleet.dispatcher.tenant.requests",
                        "Requests per tenant at the HTTP door, admitted or refused by a tenant limit",
                        "tenant",
                        tenant,
                        "outcome",
                        outcome)
                .increment();
    }

    /** A request finished with {@code status}. */
    public void finished(GenerationStatus status) {
        counter(
                        "sdfleet.dispatcher.requests.finished",
                        "Requests by final status",
                        "status",
                        status.name().toLowerCase(Locale.ROOT))
                .increment();
    }

    public void admitted(Duration took) {
        admit.record(took);
    }

    /** A webhook try ended: delivered, failed (to be retried unless the window is over), refused (SSRF guard). */
    public void webhook(String outcome, Duration took) {
        webhookCounter(outcome).increment();
        webhookLatency.record(took);
    }

    private Counter webhookCounter(String outcome) {
        return counter("sdfleet.dispatcher.webhook.deliveries", "Webhook tries by outcome", "outcome", outcome);
    }

    private Counter givenUpCounter() {
        return counter("sdfleet.dispatcher.webhook.given.up", "Webhook messages given up", "outcome", "gave_up");
    }

    /**
     * A record of an input (requests, results, cancels, control) was parked on the dead-letter topic for
     * {@code reason} (the protocol's dead-letter reason) and the stream moved past it.
     */
    public void deadLettered(String input, Enum<?> reason) {
        counter(
                        "sdfleet.dispatcher.dead.letters",
                        "Input records parked on the dead-letter topic, by input and reason",
                        "input",
                        input,
                        "reason",
                        reason.name().toLowerCase(Locale.ROOT))
                .increment();
    }

    /** Work of a stream task that failed without a record to park (a timer scan), by where it failed. */
    public void processingError(String where) {
        counter("sdfleet.dispatcher.processing.errors", "Stream task failures with no record to park", "where", where)
                .increment();
    }

    /** A stream thread died and was replaced (or, when that repeats, the instance reported itself not live). */
    public void streamThreadFailed() {
        threadFailures().increment();
    }

    private Counter threadFailures() {
        return counter("sdfleet.dispatcher.stream.thread.failures", "Stream threads that died", "outcome", "failed");
    }

    /** A webhook message's tries stopped without a 2xx (retry window over, 410, refused destination). */
    public void webhookGaveUp() {
        givenUpCounter().increment();
    }

    public String scrape() {
        return registry.scrape();
    }

    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(
                name + String.join(",", tags),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
}
