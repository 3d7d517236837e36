package dev.sdfleet.dispatcher.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One webhook message of a request and its tries. The body is fixed when the message is made, so every retry sends
 * the same bytes under the same {@code webhook-id}; only the timestamp and signature change.
 *
 * @param id the {@code webhook-id}: stable across retries and redeliveries
 * @param event the event type, e.g. {@code generation.completed}
 * @param url where it goes
 * @param body the JSON body
 * @param phase pending, delivered or failed
 * @param createdAt when the message was made (the retry window starts here, or at the last redelivery)
 * @param nextAttemptAt when the next try is due, while pending
 * @param attempts the latest tries, oldest first: at most {@value #KEPT_ATTEMPTS}, so a state value stays small
 *     however short the backoff is configured
 * @param attemptCount every try ever made (the number of the last one)
 */
public record Delivery(
        String id,
        String event,
        String url,
        String body,
        DeliveryPhase phase,
        Instant createdAt,
        Instant nextAttemptAt,
        List<DeliveryAttempt> attempts,
        int attemptCount) {
    public static final int KEPT_ATTEMPTS = 50;

    public Delivery {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public static Delivery pending(String id, String event, String url, String body, Instant now) {
        return new Delivery(id, event, url, body, DeliveryPhase.PENDING, now, now, List.of(), 0);
    }

    /** The number the next try will carry; an outcome with another number is stale. */
    public int nextAttemptNumber() {
        return attemptCount + 1;
    }

    public Delivery withAttempt(DeliveryAttempt attempt, DeliveryPhase newPhase, Instant next) {
        List<DeliveryAttempt> all = new ArrayList<>(attempts);
        all.add(attempt);
        if (all.size() > KEPT_ATTEMPTS) {
            all.subList(0, all.size() - KEPT_ATTEMPTS).clear();
        }
        return new Delivery(id, event, url, body, newPhase, createdAt, next, all, attemptCount + 1);
    }

    /** Due again now, keeping the history; the retry window restarts (a manual redelivery). */
    public Delivery redelivered(Instant now) {
        return new Delivery(id, event, url, body, DeliveryPhase.PENDING, now, now, attempts, attemptCount);
    }

    public Delivery dueAt(Instant next) {
        return new Delivery(id, event, url, body, phase, createdAt, next, attempts, attemptCount);
    }
}
