package dev.sdfleet.worker.kafka;

/** The life of a {@link JobConsumerLoop}. Each state only ever moves to the next one. */
public enum LoopState {
    /** Created, or creating the consumer and subscribing. */
    STARTING,
    /** Polling and taking jobs: the only state in which the worker reports ready. */
    RUNNING,
    /** Every partition paused, no new jobs; waiting for the jobs in flight to finish, still polling and committing. */
    DRAINING,
    /** Final commit done, consumer closed (it has left the group). */
    STOPPED
}
