package dev.sdfleet.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The Kafka record key of each message: the request id, for every message that belongs to a request.
 *
 * <p>Why the request id, and not the job id, even for jobs: Kafka's default partitioner sends equal keys to the
 * same partition, so
 * <ul>
 *   <li>a request's results, progress, cancels and completion event all land on one partition of their topics, and
 *   with equal partition counts on the same partition number as the request itself: the dispatcher's Kafka Streams
 *   aggregation is co-partitioned, one task owns the whole state of a request, and a status query goes to the one
 *   instance that owns the key;</li>
 *   <li>a request's jobs reach one worker, in image order, where they make a natural micro-batch (same model, size,
 *   steps, scheduler and guidance). The price: a request's images do not spread over several GPUs, so a large
 *   {@code n} on an idle fleet takes longer than it would spread out. A fleet that prefers latency over batching
 *   would key jobs by job id instead; that changes only this class.</li>
 * </ul>
 * Dead letters keep the key of the record they hold, so a replay lands where the original did.
 */
public final class RecordKeys {

    private RecordKeys() {}

    /**
     * The key bytes for {@code message}: the UTF-8 request id; for a {@link DeadLetter} the original key (null when
     * it had none).
     *
     * @throws ValidationException for a {@link GenerationRequest} without request_id: on the requests topic it is
     *     the key and the idempotency key, so it is required there
     */
    public static byte[] keyOf(ProtocolMessage message) {
        return switch (message) {
            case DeadLetter deadLetter -> deadLetter.keyBytes();
            default -> requestIdOf(message).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The request id that keys {@code message}; see {@link #keyOf(ProtocolMessage)}. Not for dead letters. */
    public static String requestIdOf(ProtocolMessage message) {
        return switch (message) {
            case GenerationRequest request -> {
                if (request.requestId() == null) {
                    throw new ValidationException(
                            "request_id",
                            "is required on the requests topic: it is the record key and the idempotency key");
                }
                yield request.requestId();
            }
            case Job job -> job.requestId();
            case JobResult result -> result.requestId();
            case JobProgress progress -> progress.requestId();
            case CancelRequest cancel -> cancel.requestId();
            case Generation generation -> generation.id();
            case DeadLetter deadLetter ->
                throw new IllegalArgumentException(
                        "a dead letter is keyed by its original key bytes, not a request id: use keyOf");
        };
    }
}
