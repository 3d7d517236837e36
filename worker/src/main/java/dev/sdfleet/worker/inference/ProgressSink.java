package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.JobProgress;

/** Where progress events go (the events topic); best effort, must not block the inference thread. */
@FunctionalInterface
public interface ProgressSink {
    void progress(JobProgress progress);
}
