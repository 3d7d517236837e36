package dev.sdfleet.worker.inference;

import java.util.List;

/**
 * Where the inference thread says which jobs a pipeline call is about to run, and when it returned, for the crash
 * quarantine: a call that never returns (the process died in it) must be counted against its jobs somewhere that
 * outlives the process. The worker records it in Kafka, with the partitions' committed offsets.
 */
public interface RunRecorder {
    /** Records nothing: for runners whose crashes need not be counted (tests). */
    RunRecorder NONE = new RunRecorder() {
        @Override
        public void starting(List<QueuedJob> jobs) {}

        @Override
        public void ended(List<QueuedJob> jobs) {}
    };

    /**
     * The call for {@code jobs} is about to start: returns once that is durable (or after a bounded wait, when it
     * cannot be made durable: the call then runs uncounted rather than not at all).
     */
    void starting(List<QueuedJob> jobs) throws InterruptedException;

    /** The call for {@code jobs} returned, whatever its outcome. Does not block. */
    void ended(List<QueuedJob> jobs);
}
