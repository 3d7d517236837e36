package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.ProgressListener;
import dev.sdfleet.protocol.JobProgress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The pipeline's step callback for one batch: throttled progress events for each of its jobs (the first and the last
 * step always, in between at most one per throttle interval), and the deadline check between steps.
 */
final class BatchProgress implements ProgressListener {
    private final RunningBatch batch;
    private final ProgressSink sink;
    private final Clock clock;
    private final long throttleNanos;
    private long lastSentNanos;
    private boolean sentAny;

    BatchProgress(RunningBatch batch, ProgressSink sink, Clock clock, long throttleNanos) {
        this.batch = batch;
        this.sink = sink;
        this.clock = clock;
        this.throttleNanos = throttleNanos;
    }

    @Override
    public void onStep(int step, int total) {
        Instant now = clock.instant();
        batch.stopExpired(now);
        long nanos = System.nanoTime();
        if (sentAny && step < total && nanos - lastSentNanos < throttleNanos) {
            return;
        }
        sentAny = true;
        lastSentNanos = nanos;
        List<QueuedJob> jobs = batch.jobs();
        for (QueuedJob job : jobs) {
            if (job.stoppedWith() == null && !job.isReleased()) {
                sink.progress(
                        JobProgress.of(job.job(), jobStep(step, total, job.job().steps()), now), job.trace());
            }
        }
    }

    /**
     * The pipeline counts UNet calls, which for some schedulers is not the requested step count (PNDM runs one more);
     * progress events speak in the job's steps.
     */
    static int jobStep(int step, int total, int jobSteps) {
        if (step >= total) {
            return jobSteps;
        }
        long scaled = Math.round((double) step * jobSteps / total);
        return (int) Math.max(0, Math.min(jobSteps, scaled));
    }
}
