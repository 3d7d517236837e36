package dev.sdfleet.dispatcher.metrics;

import dev.sdfleet.protocol.Priority;
import java.time.Instant;

/**
 * What the queue gauges read: jobs waiting for a GPU, per priority, and the GPU-seconds they add up to. The stream
 * tasks keep the count ({@code streams.QueueTally}); the metrics only read it, so they need not know the stream tasks.
 */
public interface QueuedWork {
    /** Jobs of {@code priority} published and not finished, on the partitions this instance owns. */
    long queued(Priority priority);

    /** Those jobs' width x height x steps x their model's relative cost, over the calibrated GPU rate. */
    double queuedGpuSeconds();

    /** The tenant's images released to the workers (published, not ended), on this instance's partitions. */
    default long released(String tenant) {
        return 0;
    }

    /** The tenant's images the dispatcher holds back under its cap, on this instance's partitions. */
    default long held(String tenant) {
        return 0;
    }

    /** When the oldest unfinished request on this instance's partitions was accepted; null when none is. */
    default Instant oldestUnfinished() {
        return null;
    }
}
