package dev.sdfleet.dispatcher.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.ImageOutcome;
import dev.sdfleet.protocol.RequestEvent;
import dev.sdfleet.protocol.RequestStatus;
import dev.sdfleet.protocol.WebhookEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Webhook bodies in the Standard Webhooks shape: {@code {"type": ..., "timestamp": ..., "data": {...}}}. The data of
 * a generation event is the request event as on the events topic, so a service can switch between the two; with
 * image links on, each stored image's {@code output} also carries {@code download_url} and
 * {@code download_expires_at}, presigned when the body is built. Every try of one message sends the same body, so the
 * link is the one of the first try: a receiver that comes back after it expired asks GET for a fresh one.
 */
public final class WebhookPayloads {
    private WebhookPayloads() {}

    /** The event a finished request sends: completed when every image is stored, failed otherwise. */
    public static WebhookEvent terminalEvent(RequestStatus status) {
        return status == RequestStatus.COMPLETED ? WebhookEvent.GENERATION_COMPLETED : WebhookEvent.GENERATION_FAILED;
    }

    public static String finished(RequestEvent event, Instant now, ImageLinks links) {
        JsonNode data = tree(Codec.encode(event));
        data.path("images").forEach(image -> addLink(image, links));
        return envelope(terminalEvent(event.status()), now, data);
    }

    public static String imageCompleted(
            String requestId, String tenant, ImageOutcome image, Instant now, ImageLinks links) {
        ObjectNode data = StateJson.MAPPER.createObjectNode();
        data.put("request_id", requestId);
        data.put("tenant", tenant);
        JsonNode imageNode = tree(Codec.encodeValue(image));
        addLink(imageNode, links);
        data.set("image", imageNode);
        return envelope(WebhookEvent.IMAGE_COMPLETED, now, data);
    }

    /** The {@code webhook-id} of a message: stable for the request and event, so retries and redeliveries share it. */
    public static String messageId(String requestId, WebhookEvent event, Integer imageIndex) {
        String suffix = switch (event) {
            case GENERATION_COMPLETED -> "completed";
            case GENERATION_FAILED -> "failed";
            case GENERATION_PROGRESS -> "progress";
            case IMAGE_COMPLETED -> "image" + imageIndex;
        };
        return "msg_" + requestId + "_" + suffix;
    }

    /** Puts a fresh download link into a stored image's {@code output}, beside its bucket and key. */
    private static void addLink(JsonNode image, ImageLinks links) {
        if (image.path("output") instanceof ObjectNode output
                && output.hasNonNull("bucket")
                && output.hasNonNull("key")) {
            links.link(output.get("bucket").asText(), output.get("key").asText())
                    .ifPresent(link -> output.put("download_url", link.url())
                            .put("download_expires_at", link.expiresAt().toString()));
        }
    }

    private static String envelope(WebhookEvent type, Instant now, JsonNode data) {
        ObjectNode body = StateJson.MAPPER.createObjectNode();
        body.put("type", type.id());
        body.put("timestamp", now.toString());
        body.set("data", data);
        return body.toString();
    }

    private static JsonNode tree(byte[] json) {
        try {
            return StateJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
