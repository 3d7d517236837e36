package dev.sdfleet.dispatcher.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.WebhookEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Webhook bodies in the Standard Webhooks shape: {@code {"type": ..., "timestamp": ..., "data": {...}}}, whose data
 * is the request's {@link Generation} document, as GET answers it (without the webhook's own tries), so a service
 * can switch between the two. Every try of one message sends the same body, so a download link in it is the one of
 * the first try: a receiver that comes back after it expired asks GET for a fresh one.
 */
public final class WebhookPayloads {
    private WebhookPayloads() {}

    /** The event a finished request sends: completed when every image is stored, failed otherwise. */
    public static WebhookEvent terminalEvent(GenerationStatus status) {
        return status == GenerationStatus.COMPLETED
                ? WebhookEvent.GENERATION_COMPLETED
                : WebhookEvent.GENERATION_FAILED;
    }

    /** The body of a {@code type} message about {@code generation}, made at {@code now}. */
    public static String body(WebhookEvent type, Generation generation, Instant now) {
        ObjectNode body = StateJson.MAPPER.createObjectNode();
        body.put("type", type.id());
        body.put("timestamp", now.toString());
        try {
            body.set("data", StateJson.MAPPER.readTree(Codec.encode(generation)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toString();
    }

    /**
     * The {@code webhook-id} of a message: stable for the request and event, so retries and redeliveries share it.
     * Progress messages are numbered by the time they were made ({@code at}), each a message of its own.
     */
    public static String messageId(String requestId, WebhookEvent event, Integer imageIndex, Instant at) {
        String suffix = switch (event) {
            case GENERATION_COMPLETED -> "completed";
            case GENERATION_FAILED -> "failed";
            case GENERATION_PROGRESS -> "progress" + at.toEpochMilli();
            case IMAGE_COMPLETED -> "image" + imageIndex;
        };
        return "msg_" + requestId + "_" + suffix;
    }
}
