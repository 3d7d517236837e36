package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.Cancellation;
import dev.sdfleet.protocol.CancelRequest;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * The jobs of the pipeline call in progress, with the one {@link Cancellation} that stops it. Stopping any job stops
 * the whole call (the pipeline cannot drop one image from a batch); the inference thread then puts the other jobs
 * back in the queue.
 */
final class RunningBatch {
    private final List<QueuedJob> jobs;
    private final Cancellation cancellation = new Cancellation();

    RunningBatch(List<QueuedJob> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    List<QueuedJob> jobs() {
        return jobs;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    /** Stops the call if {@code cancel} covers one of its jobs; true if it did. */
    boolean cancel(CancelRequest cancel) {
        boolean hit = false;
        for (QueuedJob job : jobs) {
            if (cancel.covers(job.job())) {
                job.stopWith(FailureClassifier.cancelled(cancel));
                hit = true;
            }
        }
        if (hit) {
            cancellation.cancel();
        }
        return hit;
    }

    /** Stops the call if a job's deadline has passed. */
    void stopExpired(Instant now) {
        boolean hit = false;
        for (QueuedJob job : jobs) {
            if (job.job().isExpiredAt(now)) {
                job.stopWith(FailureClassifier.deadlineExceeded("while it ran"));
                hit = true;
            }
        }
        if (hit) {
            cancellation.cancel();
        }
    }

    /** Releases the matching jobs and stops the call if there were any; true if it did. */
    boolean release(Predicate<QueuedJob> filter) {
        boolean hit = false;
        for (QueuedJob job : jobs) {
            if (filter.test(job)) {
                job.release();
                hit = true;
            }
        }
        if (hit) {
            cancellation.cancel();
        }
        return hit;
    }

    /** Stops the call if one of its jobs has been released (by the consumer loop, before the call began). */
    void stopIfAnyReleased() {
        if (jobs.stream().anyMatch(QueuedJob::isReleased)) {
            cancellation.cancel();
        }
    }

    @Override
    public String toString() {
        return jobs.size() == 1 ? jobs.getFirst().toString() : jobs.size() + " jobs " + jobs;
    }
}
