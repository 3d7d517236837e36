package dev.sdfleet.worker.inference;

import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.TraceParent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job the consumer loop took from Kafka, on its way through the queue, the pipeline and the output stage.
 *
 * <p>Two flags may be set from other threads while it runs: {@link #stopWith(Failure)} (a cancel, or its deadline
 * passed: it ends with that failure) and {@link #release()} (its partition was revoked or the worker is shutting
 * down: it ends with no result at all, uncommitted, so that Kafka delivers it again).
 */
public final class QueuedJob {
    private final Job job;
    private final RecordPosition position;
    private final Instant receivedAt;
    private final int crashedRuns;
    private final TraceParent trace;
    private volatile Failure stoppedWith;
    private volatile boolean released;
    private volatile Instant startedAt;

    public QueuedJob(Job job, RecordPosition position, Instant receivedAt) {
        this(job, position, receivedAt, 0);
    }

    /**
     * @param crashedRuns how many earlier runs of this record killed the worker process that ran them (the crash
     *     quarantine's count, from the partition's committed metadata)
     */
    public QueuedJob(Job job, RecordPosition position, Instant receivedAt, int crashedRuns) {
        this(job, position, receivedAt, crashedRuns, TraceParent.generate());
    }

    /**
     * @param trace this worker's span of the job's trace (a child of the job record's {@code traceparent}, or a new
     *     trace for a record without one): in its log lines and on its result record
     */
    public QueuedJob(Job job, RecordPosition position, Instant receivedAt, int crashedRuns, TraceParent trace) {
        this.job = Objects.requireNonNull(job, "job");
        this.position = Objects.requireNonNull(position, "position");
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        if (crashedRuns < 0) {
            throw new IllegalArgumentException("crashedRuns must be >= 0, got " + crashedRuns);
        }
        this.crashedRuns = crashedRuns;
        this.trace = Objects.requireNonNull(trace, "trace");
    }

    public Job job() {
        return job;
    }

    public RecordPosition position() {
        return position;
    }

    /** The worker's span of the job's trace. */
    public TraceParent trace() {
        return trace;
    }

    /** How many earlier runs of this record killed the worker that ran them. */
    public int crashedRuns() {
        return crashedRuns;
    }

    /**
     * Whether it was running when a worker died: it runs alone (no micro-batch), so that a crash on this delivery is
     * its own and its innocent batch-mates of last time are not blamed again.
     */
    public boolean isSuspect() {
        return crashedRuns > 0;
    }

    /** When the consumer loop polled it. */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** Marks the start of its inference (or of its refusal), which ends its queue wait. */
    void markStarted(Instant now) {
        startedAt = now;
    }

    /**
     * From the dispatcher's enqueue to the start of inference, never negative (worker and dispatcher clocks may
     * disagree by a little). Before the start, up to {@code now}.
     */
    public Duration queueWait(Instant now) {
        Instant end = startedAt != null ? startedAt : now;
        Duration wait = Duration.between(job.enqueuedAt(), end);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    /** Asks the job to end with {@code failure} (CANCELLED or DEADLINE_EXCEEDED); the first reason wins. */
    void stopWith(Failure failure) {
        if (stoppedWith == null) {
            stoppedWith = failure;
        }
    }

    /** The failure it was stopped with, or null. */
    public Failure stoppedWith() {
        return stoppedWith;
    }

    /** Gives the job back to Kafka: no result, no commit, another delivery will run it. */
    public void release() {
        released = true;
    }

    public boolean isReleased() {
        return released;
    }

    @Override
    public String toString() {
        return "job_id=" + job.jobId() + " at " + position;
    }
}
