package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.protocol.Failure;
import java.time.Duration;
import java.util.Map;

/**
 * Where the inference thread hands each job when it is done with it. Implementations must return quickly: the
 * inference thread calls them between generations.
 */
public interface JobOutcomes {

    /**
     * The job's image is ready to be encoded (if its PNG was deferred), stored and reported.
     *
     * @param stageMs milliseconds per pipeline stage, in the order they ran (for a micro-batch, the batch's)
     */
    void succeeded(QueuedJob job, GeneratedImage image, Map<String, Long> stageMs);

    /** The job ends without an image; {@code stageMs} holds what ran before the failure (may be empty). */
    void failed(QueuedJob job, Failure failure, Map<String, Long> stageMs);

    /** The job was released: it gets no result and its offset stays uncommitted, so Kafka delivers it again. */
    void released(QueuedJob job);

    /**
     * Waits until every job handed over so far has its result acknowledged (or was released); true if that happened
     * within {@code timeout}.
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException;
}
