package dev.sdfleet.dispatcher.state;

import dev.sdfleet.protocol.ValidationException;
import java.time.Instant;

/**
 * A record on the dispatcher's own control topic, keyed by request id like every other input, so it reaches the
 * stream task that owns the request. Webhook outcomes travel this way (not straight into the store) because only
 * the owning stream thread may write the store, and because then an outcome survives a crash like any input.
 *
 * @param type {@link #WEBHOOK_ATTEMPT} or {@link #REDELIVER}
 * @param requestId the request
 * @param deliveryId the webhook message
 * @param attempt the finished try, for {@link #WEBHOOK_ATTEMPT}
 * @param permanent whether the try's failure rules out any retry (410 Gone, refused destination)
 * @param at when the message was made
 */
public record ControlMessage(
        String type, String requestId, String deliveryId, DeliveryAttempt attempt, boolean permanent, Instant at) {
    public static final String WEBHOOK_ATTEMPT = "webhook_attempt";
    public static final String REDELIVER = "redeliver";

    public static ControlMessage attempt(
            String requestId, String deliveryId, DeliveryAttempt attempt, boolean permanent) {
        return new ControlMessage(WEBHOOK_ATTEMPT, requestId, deliveryId, attempt, permanent, attempt.at());
    }

    /**
     * A control record's message.
     *
     * @throws ValidationException when the bytes are no control message (empty, not JSON, wrong types)
     */
    public static ControlMessage decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new ValidationException("", "is empty: a control message is required");
        }
        try {
            return StateJson.MAPPER.readValue(value, ControlMessage.class);
        } catch (java.io.IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            throw new ValidationException(
                    "", "not a control message: " + message.substring(0, Math.min(message.length(), 300)));
        }
    }

    public static ControlMessage redeliver(String requestId, String deliveryId, Instant now) {
        return new ControlMessage(REDELIVER, requestId, deliveryId, null, false, now);
    }
}
