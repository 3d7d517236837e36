package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.TraceParent;

/** Where progress events go (the results topic); best effort, must not block the inference thread. */
@FunctionalInterface
public interface ProgressSink {
    /** @param trace the job's span (its traceparent header), as on its result */
    void progress(JobProgress progress, TraceParent trace);
}
