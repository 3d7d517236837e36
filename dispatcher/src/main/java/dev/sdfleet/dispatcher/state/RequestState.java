package dev.sdfleet.dispatcher.state;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.GenerationStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything the dispatcher knows about one request: the value of the request store, keyed by request id. It lives
 * in a changelogged Kafka Streams store, so it survives restarts and moves with its partition.
 *
 * @param requestId the request id (the store key)
 * @param tenant who asked: a GET from another tenant answers 404
 * @param requestJson the request as the protocol codec wrote it (tenant and id set); kept as text so the state's own
 *     JSON never has to follow the protocol's rules
 * @param fingerprint SHA-256 of {@code requestJson}: what an idempotent retry must match
 * @param source {@code http} or {@code kafka}
 * @param acceptedAt when the request reached the dispatcher (its record's time)
 * @param baseSeed image 0's seed: the request's own or the one drawn for it
 * @param images one per image, index order
 * @param cancelReason why it was cancelled, if it was
 * @param status the final status, once finished; null while images are outstanding
 * @param finishedAt when it finished
 * @param deliveries its webhook messages
 * @param progressAt when a result last moved it on (an image finished or was published again); absent in states
 *     written before this field, which count from {@code acceptedAt}
 * @param announcedAt when its progress was last announced (events topic, progress webhook), which happens at most
 *     once a second; absent until the first
 * @param traceParent the W3C {@code traceparent} the request came with (or was given), whose trace its jobs and
 *     webhook calls carry; absent in states written before this field, whose jobs go without one
 */
public record RequestState(
        String requestId,
        String tenant,
        String requestJson,
        String fingerprint,
        String source,
        Instant acceptedAt,
        long baseSeed,
        List<ImageState> images,
        String cancelReason,
        GenerationStatus status,
        Instant finishedAt,
        List<Delivery> deliveries,
        Instant progressAt,
        Instant announcedAt,
        String traceParent) {

    public RequestState {
        images = List.copyOf(images);
        deliveries = deliveries == null ? List.of() : List.copyOf(deliveries);
    }

    /**
     * A request just accepted: its images queued, nothing finished, no webhook message yet.
     *
     * @param request the request with its id and tenant set
     */
    public static RequestState accepted(
            GenerationRequest request,
            String fingerprint,
            String source,
            Instant acceptedAt,
            long baseSeed,
            List<ImageState> images) {
        return new RequestState(
                request.requestId(),
                request.tenant(),
                new String(Codec.encode(request), StandardCharsets.UTF_8),
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                null,
                null,
                null,
                List.of(),
                acceptedAt,
                null,
                null);
    }

    /** The request itself (decoded on each call: state values are short-lived). */
    public GenerationRequest request() {
        return Codec.decode(requestJson.getBytes(StandardCharsets.UTF_8), GenerationRequest.class);
    }

    public boolean finished() {
        return status != null;
    }

    public boolean allImagesTerminal() {
        return images.stream().allMatch(i -> i.phase().terminal());
    }

    /** Images whose job is published and not ended: released to the workers. */
    public long queuedImages() {
        return imagesIn(ImagePhase.QUEUED);
    }

    /** Images accepted but held back by the dispatcher under the tenant's cap. */
    public long heldImages() {
        return imagesIn(ImagePhase.HELD);
    }

    private long imagesIn(ImagePhase phase) {
        return images.stream().filter(i -> i.phase() == phase).count();
    }

    public RequestState withImage(ImageState image) {
        List<ImageState> all = new ArrayList<>(images);
        all.set(image.index(), image);
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                all,
                cancelReason,
                status,
                finishedAt,
                deliveries,
                progressAt,
                announcedAt,
                traceParent);
    }

    public RequestState withImages(UnaryOperator<ImageState> change) {
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images.stream().map(change).toList(),
                cancelReason,
                status,
                finishedAt,
                deliveries,
                progressAt,
                announcedAt,
                traceParent);
    }

    public RequestState cancelled(String reason) {
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                reason,
                status,
                finishedAt,
                deliveries,
                progressAt,
                announcedAt,
                traceParent);
    }

    /** Finished now, with the status the images add up to. */
    public RequestState finishedAt(Instant now) {
        Instant end = now.isBefore(acceptedAt) ? acceptedAt : now;
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                statusOf(images),
                end,
                deliveries,
                progressAt,
                announcedAt,
                traceParent);
    }

    /**
     * The final status these ended images add up to: cancelled if any image was cancelled, else completed when all
     * succeeded, failed when all failed, partially failed otherwise.
     */
    static GenerationStatus statusOf(List<ImageState> images) {
        if (images.stream().anyMatch(i -> i.error() != null && i.error().reason() == FailureReason.CANCELLED)) {
            return GenerationStatus.CANCELLED;
        }
        long succeeded =
                images.stream().filter(i -> i.phase() == ImagePhase.SUCCEEDED).count();
        if (succeeded == images.size()) {
            return GenerationStatus.COMPLETED;
        }
        return succeeded == 0 ? GenerationStatus.FAILED : GenerationStatus.PARTIALLY_FAILED;
    }

    /** The status callers see: the final one, or queued until an image ends and in progress after. */
    public GenerationStatus visibleStatus() {
        if (status != null) {
            return status;
        }
        // A caller watching steps advance must not read "queued" beside them: a running image counts as progress.
        return images.stream().anyMatch(i -> i.phase().terminal() || i.running())
                ? GenerationStatus.IN_PROGRESS
                : GenerationStatus.QUEUED;
    }

    public Optional<Delivery> delivery(String id) {
        return deliveries.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public RequestState withDelivery(Delivery delivery) {
        List<Delivery> all = new ArrayList<>(deliveries);
        all.removeIf(d -> d.id().equals(delivery.id()));
        all.add(delivery);
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                status,
                finishedAt,
                all,
                progressAt,
                announcedAt,
                traceParent);
    }

    public RequestState withoutDelivery(String id) {
        List<Delivery> all = new ArrayList<>(deliveries);
        all.removeIf(d -> d.id().equals(id));
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                status,
                finishedAt,
                all,
                progressAt,
                announcedAt,
                traceParent);
    }

    /** Moved on by a result now: the maximum age counts from here. */
    public RequestState progressed(Instant now) {
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                status,
                finishedAt,
                deliveries,
                now,
                announcedAt,
                traceParent);
    }

    /** Its progress announced now. */
    public RequestState announced(Instant now) {
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                status,
                finishedAt,
                deliveries,
                progressAt,
                now,
                traceParent);
    }

    /** With the trace it came with (see {@code streams/RequestTrace}). */
    public RequestState withTraceParent(String trace) {
        return new RequestState(
                requestId,
                tenant,
                requestJson,
                fingerprint,
                source,
                acceptedAt,
                baseSeed,
                images,
                cancelReason,
                status,
                finishedAt,
                deliveries,
                progressAt,
                announcedAt,
                trace);
    }

    /** When a result last moved the request on, or when it was accepted. */
    public Instant lastProgress() {
        return progressAt != null && progressAt.isAfter(acceptedAt) ? progressAt : acceptedAt;
    }

    /** The finish or the latest webhook try or redelivery, whichever came last. */
    public Instant lastActivity() {
        Instant last = finishedAt != null ? finishedAt : acceptedAt;
        for (Delivery delivery : deliveries) {
            last = later(last, delivery.createdAt());
            for (DeliveryAttempt attempt : delivery.attempts()) {
                last = later(last, attempt.at());
            }
        }
        return last;
    }

    private static Instant later(Instant a, Instant b) {
        return b != null && b.isAfter(a) ? b : a;
    }

    public boolean deliveriesPending() {
        return deliveries.stream().anyMatch(d -> d.phase() == DeliveryPhase.PENDING);
    }
}
