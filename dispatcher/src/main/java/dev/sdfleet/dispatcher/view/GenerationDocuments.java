package dev.sdfleet.dispatcher.view;

import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.state.Delivery;
import dev.sdfleet.dispatcher.state.DeliveryAttempt;
import dev.sdfleet.dispatcher.state.DeliveryPhase;
import dev.sdfleet.dispatcher.state.ImagePhase;
import dev.sdfleet.dispatcher.state.ImageState;
import dev.sdfleet.dispatcher.state.RequestState;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.ImageStatus;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.WebhookEvent;
import java.util.List;
import java.util.Locale;

/**
 * Turns a request's state into the {@link Generation} document, the one shape callers see everywhere: GET, webhook
 * {@code data}, the event stream, list pages and the events topic all come from here.
 */
public final class GenerationDocuments {
    private GenerationDocuments() {}

    /** What GET answers: with the webhook's tries, each stored image with a link signed now. */
    public static Generation forGet(RequestState state, ImageLinks links) {
        return of(state, links, true);
    }

    /** What webhooks, the event stream and the events topic carry: the same, without the webhook's own tries. */
    public static Generation forEvent(RequestState state, ImageLinks links) {
        return of(state, links, false);
    }

    private static Generation of(RequestState state, ImageLinks links, boolean withDeliveries) {
        GenerationRequest request = state.request();
        Generation.Webhook webhook = null;
        if (request.webhook() != null) {
            webhook = new Generation.Webhook(
                    request.webhook().url(),
                    request.webhook().events().stream().map(WebhookEvent::id).toList(),
                    withDeliveries
                            ? state.deliveries().stream()
                                    .map(GenerationDocuments::delivery)
                                    .toList()
                            : null);
        }
        return new Generation(
                ProtocolMessage.CURRENT_SCHEMA_VERSION,
                state.requestId(),
                state.tenant(),
                state.visibleStatus(),
                request.model(),
                request.prompt(),
                request.negativePrompt(),
                request.n(),
                request.width(),
                request.height(),
                request.steps(),
                request.guidance(),
                request.scheduler(),
                request.priority(),
                state.baseSeed(),
                request.deadline(),
                state.acceptedAt(),
                state.finishedAt(),
                state.cancelReason(),
                state.images().stream().map(i -> image(i, links)).toList(),
                webhook,
                request.metadata());
    }

    private static Generation.Image image(ImageState image, ImageLinks links) {
        boolean stored = image.phase() == ImagePhase.SUCCEEDED;
        ImageLinks.Link link = stored
                ? links.link(image.output().bucket(), image.output().key()).orElse(null)
                : null;
        return new Generation.Image(
                image.index(),
                image.seed(),
                statusOf(image),
                image.attempt(),
                image.step(),
                image.totalSteps(),
                stored ? image.output().url() : null,
                stored ? image.output().bucket() : null,
                stored ? image.output().key() : null,
                stored ? image.output().sha256() : null,
                stored ? image.output().contentType() : null,
                link == null ? null : link.url(),
                link == null ? null : link.expiresAt(),
                image.error() == null
                        ? null
                        : new Generation.ImageError(
                                image.error().reason().name().toLowerCase(Locale.ROOT),
                                image.error().message(),
                                image.error().retryable()),
                image.finishedAt());
    }

    /** A held image is queued as far as the caller is concerned: waiting its turn, in the dispatcher or on Kafka. */
    private static ImageStatus statusOf(ImageState image) {
        return switch (image.phase()) {
            case HELD -> ImageStatus.QUEUED;
            case QUEUED -> image.running() ? ImageStatus.RUNNING : ImageStatus.QUEUED;
            case SUCCEEDED -> ImageStatus.SUCCEEDED;
            case FAILED -> ImageStatus.FAILED;
        };
    }

    private static Generation.Delivery delivery(Delivery delivery) {
        List<Generation.Attempt> attempts =
                delivery.attempts().stream().map(GenerationDocuments::attempt).toList();
        return new Generation.Delivery(
                delivery.id(),
                delivery.event(),
                delivery.phase().name().toLowerCase(Locale.ROOT),
                delivery.attemptCount(),
                delivery.phase() == DeliveryPhase.PENDING ? delivery.nextAttemptAt() : null,
                attempts);
    }

    private static Generation.Attempt attempt(DeliveryAttempt attempt) {
        return new Generation.Attempt(
                attempt.number(), attempt.at(), attempt.durationMs(), attempt.statusCode(), attempt.error());
    }
}
