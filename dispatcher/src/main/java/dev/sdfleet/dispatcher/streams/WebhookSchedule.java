package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.state.ControlMessage;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.DeliveryAttempt;
import dev.sdfleet.dispatcher.state.DeliveryPhase;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.webhook.Backoff;
import dev.sdfleet.protocol.WebhookEvent;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook side of the state machine: a request's messages, when each try is due, and what a try's outcome means
 * for the next one. Runs on the stream thread inside the task's transaction; the sender only makes the calls.
 */
final class WebhookSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSchedule.class);
    /** Extra time given to a try before it is handed out again: its report may be lost with a stopped instance. */
    private static final Duration LEASE_SLACK = Duration.ofSeconds(5);

    private final ProcessorHooks hooks;
    private final KeyValueStore<String, String> timers;

    WebhookSchedule(ProcessorHooks hooks, KeyValueStore<String, String> timers) {
        this.hooks = hooks;
        this.timers = timers;
    }

    /**
     * Adds a webhook message and hands its first try out at once rather than at the next tick (the tick would add
     * up to its interval to every webhook). Should this transaction abort, the replay sends it again under the same
     * {@code webhook-id}: at least once, as Standard Webhooks receivers expect.
     */
    RequestState add(RequestState state, String id, WebhookEvent event, String body, Instant now) {
        Delivery delivery =
                Delivery.pending(id, event.id(), state.request().webhook().url(), body, now);
        return handOut(state, delivery, now);
    }

    /**
     * Adds a progress message in place of the request's earlier ones: progress is only worth its latest value, so a
     * receiver that is down gets one message when it is back rather than a backlog, and the state stays small.
     */
    RequestState replaceProgress(RequestState state, String id, String body, Instant now) {
        return add(dropProgress(state), id, WebhookEvent.GENERATION_PROGRESS, body, now);
    }

    /** Removes the request's progress messages that are not delivered yet, and their timers. */
    RequestState dropProgress(RequestState state) {
        String progress = WebhookEvent.GENERATION_PROGRESS.id();
        RequestState kept = state;
        for (Delivery delivery : state.deliveries()) {
            if (progress.equals(delivery.event()) && delivery.phase() != DeliveryPhase.DELIVERED) {
                if (delivery.nextAttemptAt() != null) {
                    timers.delete(
                            Timers.key(delivery.nextAttemptAt(), Timers.WEBHOOK, state.requestId(), delivery.id()));
                }
                kept = kept.withoutDelivery(delivery.id());
            }
        }
        return kept;
    }

    /** A webhook timer fired: hands the try out if it is still due. Returns the new state, or null if unchanged. */
    RequestState due(RequestState state, String deliveryId, Instant now) {
        Delivery delivery = state.delivery(deliveryId).orElse(null);
        if (delivery == null || delivery.phase() != DeliveryPhase.PENDING) {
            return null;
        }
        if (delivery.nextAttemptAt().isAfter(now)) {
            timers.put(Timers.key(delivery.nextAttemptAt(), Timers.WEBHOOK, state.requestId(), deliveryId), "");
            return null;
        }
        return handOut(state, delivery, now);
    }

    /** A try's outcome or a redelivery command. Returns the new state, or null if the message changes nothing. */
    RequestState apply(RequestState state, ControlMessage message, Instant now) {
        Delivery delivery = state.delivery(message.deliveryId()).orElse(null);
        if (delivery == null) {
            return null;
        }
        Delivery updated;
        if (ControlMessage.REDELIVER.equals(message.type())) {
            updated = delivery.redelivered(now);
        } else if (ControlMessage.WEBHOOK_ATTEMPT.equals(message.type())
                && delivery.phase() == DeliveryPhase.PENDING
                && message.attempt() != null
                && message.attempt().number() == delivery.nextAttemptNumber()) {
            updated = afterAttempt(delivery, message.attempt(), message.permanent(), now);
        } else {
            return null; // a stale outcome (the try was handed out again meanwhile) or a finished delivery
        }
        if (delivery.nextAttemptAt() != null) {
            timers.delete(Timers.key(delivery.nextAttemptAt(), Timers.WEBHOOK, state.requestId(), delivery.id()));
        }
        if (updated.phase() == DeliveryPhase.PENDING) {
            timers.put(Timers.key(updated.nextAttemptAt(), Timers.WEBHOOK, state.requestId(), updated.id()), "");
        }
        return state.withDelivery(updated);
    }

    private Delivery afterAttempt(Delivery delivery, DeliveryAttempt attempt, boolean permanent, Instant now) {
        if (attempt.succeeded()) {
            return delivery.withAttempt(attempt, DeliveryPhase.DELIVERED, null);
        }
        // Failures since the message was made or last redelivered: a redelivery starts the backoff over.
        int failedInRow = 0;
        for (int i = delivery.attempts().size() - 1;
                i >= 0
                        && !delivery.attempts().get(i).succeeded()
                        && !delivery.attempts().get(i).at().isBefore(delivery.createdAt());
                i--) {
            failedInRow++;
        }
        Instant next = now.plus(Backoff.after(failedInRow + 1, hooks.config().webhooks()));
        // Tries go on until one fails after the window ends, so the last one is never earlier than the window's end.
        boolean windowOver = !now.isBefore(
                delivery.createdAt().plus(hooks.config().webhooks().retryFor()));
        if (permanent || windowOver) {
            hooks.metrics().webhookGaveUp();
            LOG.warn(
                    "Webhook {} to {} given up after {} tries: {}",
                    delivery.id(),
                    delivery.url(),
                    delivery.attemptCount() + 1,
                    attempt.error() != null ? attempt.error() : attempt.statusCode());
            return delivery.withAttempt(attempt, DeliveryPhase.FAILED, null);
        }
        return delivery.withAttempt(attempt, DeliveryPhase.PENDING, next);
    }

    /** Gives a due try to the sender and leases it: due again only if no outcome arrives in time. */
    private RequestState handOut(RequestState state, Delivery delivery, Instant now) {
        hooks.webhooks().submit(state.requestId(), state.tenant(), state.traceParent(), delivery);
        Delivery leased =
                delivery.dueAt(now.plus(hooks.config().webhooks().timeout()).plus(LEASE_SLACK));
        timers.put(Timers.key(leased.nextAttemptAt(), Timers.WEBHOOK, state.requestId(), delivery.id()), "");
        return state.withDelivery(leased);
    }
}
