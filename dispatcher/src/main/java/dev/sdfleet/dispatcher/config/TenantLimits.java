package dev.sdfleet.dispatcher.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.GenerationRequest;
import java.util.Optional;

/**
 * What one tenant may ask of the fleet, from the tenants file ({@code "limits": {...}}); a zero or absent member is no
 * limit. So that one tenant's load cannot crowd out everyone else's at the door.
 *
 * @param requestsPerSecond the steady rate of accepted requests (a token bucket refilled at this rate), per dispatcher
 *     instance
 * @param burst how many requests may come at once on top of the rate (the bucket's size; at least 1 when a rate is set)
 * @param maxRequestCost the largest request: width x height x steps x images
 * @param maxImagesInFlight how many of the tenant's images may be released to the jobs topics at once (published and
 *     not yet ended), per dispatcher stream task, i.e. per partition of the requests topic; the rest wait in the
 *     dispatcher, so another tenant's image queues behind at most the released ones, not behind this tenant's backlog
 */
public record TenantLimits(
        @JsonProperty("requests_per_second") double requestsPerSecond,
        @JsonProperty("burst") int burst,
        @JsonProperty("max_request_cost") long maxRequestCost,
        @JsonProperty("max_images_in_flight") int maxImagesInFlight) {
    public static final TenantLimits NONE = new TenantLimits(0, 0, 0, 0);

    public TenantLimits {
        if (requestsPerSecond < 0
                || Double.isNaN(requestsPerSecond)
                || burst < 0
                || maxRequestCost < 0
                || maxImagesInFlight < 0) {
            throw new IllegalArgumentException("tenants: limits must not be negative");
        }
        if (requestsPerSecond > 0 && burst == 0) {
            burst = (int) Math.max(1, Math.ceil(requestsPerSecond));
        }
    }

    /** Limits without a cap on images in flight. */
    public TenantLimits(double requestsPerSecond, int burst, long maxRequestCost) {
        this(requestsPerSecond, burst, maxRequestCost, 0);
    }

    public boolean limitsRate() {
        return requestsPerSecond > 0;
    }

    /** Whether the tenant's images beyond {@link #maxImagesInFlight()} are held back by the dispatcher. */
    public boolean capsImagesInFlight() {
        return maxImagesInFlight > 0;
    }

    /**
     * What is wrong with the size of {@code request}: a field error on {@code n} naming the limit, or nothing. A 400
     * at HTTP (not a 429: the same request can never pass) and a dead letter on Kafka ingress.
     */
    public Optional<FieldError> sizeProblem(GenerationRequest request) {
        if (maxRequestCost == 0) {
            return Optional.empty();
        }
        long cost = cost(request);
        return cost <= maxRequestCost
                ? Optional.empty()
                : Optional.of(new FieldError(
                        "n",
                        "the request costs " + cost + " (width x height x steps x n) and the tenant's"
                                + " max_request_cost is " + maxRequestCost
                                + ": ask for fewer, smaller or shorter images"));
    }

    /** width x height x steps x images. */
    public static long cost(GenerationRequest request) {
        return (long) request.width() * request.height() * request.steps() * request.n();
    }
}
