package dev.sdfleet.dispatcher.http;

import dev.sdfleet.dispatcher.config.TenantLimits;
import dev.sdfleet.dispatcher.config.Tenants;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The tenants' limits at the HTTP door ({@link TenantLimits}): a token bucket per tenant for the request rate, and the
 * largest request a tenant may make ({@link TenantLimits#sizeProblem}). Per dispatcher instance, in memory: N instances let a tenant through at N times
 * its rate (the tenants file says the per-instance figure). On Kafka ingress the rate is Kafka's own per-principal
 * producer quota; the size is checked by the stream task.
 */
final class TenantGate {
    /** A refused request: which limit, and how long until the bucket holds a token again. */
    record RateRefusal(String limit, long retryAfterSeconds, String detail) {}

    private final Tenants tenants;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    TenantGate(Tenants tenants, LongSupplier nanoTime) {
        this.tenants = tenants;
        this.nanoTime = nanoTime;
    }

    /** Takes a token from the tenant's bucket; a refusal when it is empty. */
    Optional<RateRefusal> take(String tenant) {
        TenantLimits limits = tenants.limits(tenant);
        if (!limits.limitsRate()) {
            return Optional.empty();
        }
        Bucket bucket = buckets.computeIfAbsent(tenant, t -> new Bucket(limits, nanoTime.getAsLong()));
        double wait = bucket.take(nanoTime.getAsLong());
        if (wait <= 0) {
            return Optional.empty();
        }
        return Optional.of(new RateRefusal(
                "requests_per_second",
                (long) Math.ceil(wait),
                "your tenant may make " + limits.requestsPerSecond() + " requests per second (burst " + limits.burst()
                        + ") on this instance"));
    }

    /** Tokens refill continuously at the rate, up to the burst. */
    private static final class Bucket {
        private final double rate;
        private final double size;
        private double tokens;
        private long last;

        Bucket(TenantLimits limits, long now) {
            this.rate = limits.requestsPerSecond();
            this.size = limits.burst();
            this.tokens = size;
            this.last = now;
        }

        /** Seconds until a token is there (0 or less: one was taken). */
        synchronized double take(long now) {
            tokens = Math.min(size, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (1 - tokens) / rate;
        }
    }
}
