package dev.sdfleet.dispatcher.state;

import dev.sdfleet.protocol.FieldError;
import dev.sdfleet.protocol.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
     * A control record's message, checked against the record's key: the dispatcher writes this topic itself, so
     * anything else on it (a stray producer, a replayed test record) is refused whole rather than half-applied.
     *
     * @throws ValidationException when the bytes are no control message (empty, not JSON, JSON {@code null}, wrong
     *     types, an unknown type, a missing id or try, a request id other than the key)
     */
    public static ControlMessage decode(String key, byte[] value) {
        if (value == null || value.length == 0) {
            throw new ValidationException("", "is empty: a control message is required");
        }
        ControlMessage message;
        try {
            message = StateJson.MAPPER.readValue(value, ControlMessage.class);
        } catch (java.io.IOException | RuntimeException e) {
            String text = String.valueOf(e.getMessage());
            throw new ValidationException(
                    "", "not a control message: " + text.substring(0, Math.min(text.length(), 300)));
        }
        if (message == null) {
            throw new ValidationException("", "is JSON null: a control message is required");
        }
        List<FieldError> problems = new ArrayList<>();
        if (!WEBHOOK_ATTEMPT.equals(message.type()) && !REDELIVER.equals(message.type())) {
            problems.add(new FieldError("type", "must be " + WEBHOOK_ATTEMPT + " or " + REDELIVER));
        }
        if (message.requestId() == null || !message.requestId().equals(key)) {
            problems.add(new FieldError("requestId", "must equal the record key (the request id)"));
        }
        if (message.deliveryId() == null) {
            problems.add(new FieldError("deliveryId", "is required"));
        }
        if (WEBHOOK_ATTEMPT.equals(message.type())
                && (message.attempt() == null || message.attempt().at() == null)) {
            problems.add(new FieldError("attempt", "is required with its time on a " + WEBHOOK_ATTEMPT));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return message;
    }

    public static ControlMessage redeliver(String requestId, String deliveryId, Instant now) {
        return new ControlMessage(REDELIVER, requestId, deliveryId, null, false, now);
    }
}
