package dev.sdfleet.dispatcher.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.DeliveryAttempt;
import dev.sdfleet.dispatcher.state.ImagePhase;
import dev.sdfleet.dispatcher.state.ImageState;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.dispatcher.state.StateJson;
import dev.sdfleet.protocol.GenerationRequest;
import java.time.Instant;
import java.util.Locale;

/** The JSON a GET answers (and a POST's 202 carries): the request's status, images, timings and webhook tries. */
final class RequestView {
    private RequestView() {}

    static String location(String id) {
        return "/v1/generations/" + id;
    }

    static String statusOf(RequestState state) {
        if (state.finished()) {
            return state.status().name().toLowerCase(Locale.ROOT);
        }
        return state.images().stream().anyMatch(i -> i.phase().terminal()) ? "in_progress" : "queued";
    }

    /** The view of {@code state}; each stored image gets a fresh download link when {@code links} signs. */
    static ObjectNode of(RequestState state, ImageLinks links) {
        GenerationRequest request = state.request();
        ObjectNode view = StateJson.MAPPER.createObjectNode();
        view.put("id", state.requestId());
        view.put("status", statusOf(state));
        view.put("model", request.model());
        view.put("prompt", request.prompt());
        view.put("n", request.n());
        view.put("width", request.width());
        view.put("height", request.height());
        view.put("steps", request.steps());
        view.put("priority", request.priority().id());
        view.put("seed", state.baseSeed());
        putInstant(view, "deadline", request.deadline());
        putInstant(view, "accepted_at", state.acceptedAt());
        putInstant(view, "finished_at", state.finishedAt());
        if (state.cancelReason() != null) {
            view.put("cancel_reason", state.cancelReason());
        }
        ArrayNode images = view.putArray("images");
        state.images().forEach(image -> images.add(image(image, links)));
        if (request.webhook() != null) {
            ObjectNode webhook = view.putObject("webhook");
            webhook.put("url", request.webhook().url());
            ArrayNode events = webhook.putArray("events");
            request.webhook().events().forEach(e -> events.add(e.id()));
            ArrayNode deliveries = webhook.putArray("deliveries");
            state.deliveries().forEach(d -> deliveries.add(delivery(d)));
        }
        if (!request.metadata().isEmpty()) {
            ObjectNode metadata = view.putObject("metadata");
            request.metadata().forEach(metadata::put);
        }
        return view;
    }

    private static ObjectNode image(ImageState image, ImageLinks links) {
        ObjectNode node = StateJson.MAPPER.createObjectNode();
        node.put("index", image.index());
        node.put("seed", image.seed());
        // A held image is queued as far as the caller is concerned: waiting its turn, in the dispatcher or on Kafka.
        ImagePhase phase = image.phase() == ImagePhase.HELD ? ImagePhase.QUEUED : image.phase();
        node.put("status", phase.name().toLowerCase(Locale.ROOT));
        node.put("attempt", image.attempt());
        if (image.phase() == ImagePhase.SUCCEEDED) {
            node.put("url", image.output().url());
            node.put("bucket", image.output().bucket());
            node.put("key", image.output().key());
            node.put("sha256", image.output().sha256());
            node.put("content_type", image.output().contentType());
            links.link(image.output().bucket(), image.output().key())
                    .ifPresent(link -> node.put("download_url", link.url())
                            .put("download_expires_at", link.expiresAt().toString()));
        }
        if (image.error() != null) {
            node.putObject("error")
                    .put("reason", image.error().reason().name().toLowerCase(Locale.ROOT))
                    .put("message", image.error().message())
                    .put("retryable", image.error().retryable());
        }
        putInstant(node, "finished_at", image.finishedAt());
        return node;
    }

    private static ObjectNode delivery(Delivery delivery) {
        ObjectNode node = StateJson.MAPPER.createObjectNode();
        node.put("id", delivery.id());
        node.put("event", delivery.event());
        node.put("status", delivery.phase().name().toLowerCase(Locale.ROOT));
        node.put("attempt_count", delivery.attemptCount());
        if (delivery.phase() == dev.sdfleet.dispatcher.state.DeliveryPhase.PENDING) {
            putInstant(node, "next_attempt_at", delivery.nextAttemptAt());
        }
        ArrayNode attempts = node.putArray("attempts");
        for (DeliveryAttempt attempt : delivery.attempts()) {
            ObjectNode a = attempts.addObject();
            a.put("number", attempt.number());
            putInstant(a, "at", attempt.at());
            a.put("duration_ms", attempt.durationMs());
            if (attempt.statusCode() != null) {
                a.put("status_code", attempt.statusCode());
            }
            if (attempt.error() != null) {
                a.put("error", attempt.error());
            }
        }
        return node;
    }

    private static void putInstant(ObjectNode node, String field, Instant value) {
        if (value != null) {
            node.put(field, value.toString());
        }
    }
}
