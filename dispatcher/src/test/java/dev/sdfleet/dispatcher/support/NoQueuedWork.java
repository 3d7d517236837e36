package dev.sdfleet.dispatcher.support;

import dev.sdfleet.dispatcher.metrics.QueuedWork;
import dev.sdfleet.protocol.Priority;

/** A queue with nothing in it, for tests of parts that only report into the metrics. */
public final class NoQueuedWork implements QueuedWork {
    @Override
    public long queued(Priority priority) {
        return 0;
    }

    @Override
    public double queuedGpuSeconds() {
        return 0;
    }
}
