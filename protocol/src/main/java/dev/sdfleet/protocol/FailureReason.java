package dev.sdfleet.protocol;

/**
 * Why a job produced no image. The code decides what happens next, so it is an enum and not free text: the
 * worker retries {@link #STORAGE_UNAVAILABLE} itself, the dispatcher reports the permanent ones to the caller.
 */
public enum FailureReason {
    /** The job's parameters cannot run (e.g. a size the model rejects). Permanent. */
    INVALID_PARAMETERS,
    /** The worker does not have or cannot load the model. Permanent for that worker. */
    UNKNOWN_MODEL,
    /** The job's deadline passed before it reached a GPU or while it ran. */
    DEADLINE_EXCEEDED,
    /** The request or the job was cancelled. */
    CANCELLED,
    /** The model failed while running (runtime error, out of memory). */
    INFERENCE_ERROR,
    /** The image could not be stored (S3 down) after the worker's retries. */
    STORAGE_UNAVAILABLE,
    /** Anything else: a bug. */
    INTERNAL,
    /**
     * No result came for the job for the dispatcher's maximum request age (a job lost with a worker, a stuck
     * worker): the dispatcher ended the request rather than leave it unfinished. Permanent.
     */
    STALLED,
    /**
     * The job's run killed the worker process (a native crash, the OOM killer, a call stuck until the liveness probe
     * restarted the worker) on each of its last deliveries, up to the workers' quarantine limit: it is not run again,
     * so that it cannot take down every worker in turn. Permanent.
     */
    WORKER_CRASHED,
    /**
     * The job's init image or mask could not be used: its S3 object is missing or unreadable, or the image does not
     * decode as a PNG of the job's size. Permanent.
     */
    INVALID_INPUT_IMAGE
}
