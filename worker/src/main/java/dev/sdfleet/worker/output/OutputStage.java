package dev.sdfleet.worker.output;

import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.StoredImage;
import dev.sdfleet.worker.config.RetryPolicy;
import dev.sdfleet.worker.inference.JobOutcomes;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.kafka.ResultPublisher;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What happens to a job after the inference thread is done with it, on one output thread (so the GPU never waits for
 * S3): the image is uploaded, with retries and exponential backoff while S3 is unavailable; the result is built and
 * published; and when the broker acknowledges it, the job's offset is handed to the consumer loop as finished.
 *
 * <p>While an upload retries, the job stays uncommitted. When the retries run out the job gets a FAILED
 * {@code STORAGE_UNAVAILABLE} result (retryable), so that its request does not wait forever. A job released
 * meanwhile (its partition moved, the worker is shutting down) is dropped without a result.
 */
public final class OutputStage implements JobOutcomes, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputStage.class);

    private final ImageStore store;
    private final ResultPublisher publisher;
    private final RetryPolicy retry;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final String workerId;
    private final Consumer<RecordPosition> onFinished;
    private final ExecutorService executor;
    /** Jobs handed over and not yet acknowledged (or dropped). */
    private final AtomicInteger pending = new AtomicInteger();

    private final Object idle = new Object();

    /**
     * @param onFinished told each job's record position once its result is acknowledged (the consumer loop commits
     *     it); called on a producer thread
     */
    public OutputStage(
            ImageStore store,
            ResultPublisher publisher,
            RetryPolicy retry,
            WorkerMetrics metrics,
            Clock clock,
            String workerId,
            Consumer<RecordPosition> onFinished) {
        this.store = store;
        this.publisher = publisher;
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = workerId;
        this.onFinished = onFinished;
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "sdfleet-output-" + workerId));
    }

    @Override
    public void succeeded(QueuedJob job, GeneratedImage image, Map<String, Long> stageMs) {
        submit(job, () -> storeAndReport(job, image, stageMs));
    }

    @Override
    public void failed(QueuedJob job, Failure failure, Map<String, Long> stageMs) {
        submit(
                job,
                () -> report(
                        job,
                        JobResult.failed(job.job(), workerId, queueWaitMs(job), stageMs, failure, clock.instant())));
    }

    @Override
    public void released(QueuedJob job) {
        LOG.debug("{} released, no result", job);
    }

    private void submit(QueuedJob job, Runnable task) {
        pending.incrementAndGet();
        try {
            executor.execute(() -> {
                MDC.put("job_id", job.job().jobId());
                MDC.put("request_id", job.job().requestId());
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // A bug (a result that does not validate, say): log it loudly and leave the job uncommitted.
                    LOG.error("{}: output failed, the job stays uncommitted", job, e);
                    done();
                } finally {
                    MDC.clear();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.info("{} arrived after close, stays uncommitted", job);
            done();
        }
    }

    private void storeAndReport(QueuedJob job, GeneratedImage image, Map<String, Long> stageMs) {
        if (job.isReleased()) {
            done();
            return;
        }
        long start = System.nanoTime();
        StoredImage stored = null;
        Failure failure = null;
        for (int retries = 0; stored == null && failure == null; retries++) {
            long attemptStart = System.nanoTime();
            try {
                stored = store.put(job.job(), image);
                metrics.uploaded(image.png().length, System.nanoTime() - attemptStart);
            } catch (SdkException e) {
                metrics.uploadFailed(System.nanoTime() - attemptStart);
                boolean transientError = isTransient(e);
                if (!transientError || retries >= retry.maxRetries()) {
                    failure = Failure.of(
                            FailureReason.STORAGE_UNAVAILABLE,
                            "upload of " + store.keyOf(job.job()) + " failed after " + (retries + 1) + " attempts: "
                                    + e.getMessage(),
                            transientError);
                    LOG.warn("{}: {}", job, failure.message());
                } else {
                    Duration wait = retry.backoff(retries + 1);
                    LOG.warn(
                            "{}: upload failed ({}), retry {} of {} in {} ms",
                            job,
                            e.getMessage(),
                            retries + 1,
                            retry.maxRetries(),
                            wait.toMillis());
                    if (!sleep(wait) || job.isReleased()) {
                        LOG.info("{}: upload abandoned, the job stays uncommitted", job);
                        done();
                        return;
                    }
                }
            }
        }
        long uploadNanos = System.nanoTime() - start;
        metrics.stage("upload", uploadNanos);
        Map<String, Long> stages = new LinkedHashMap<>(stageMs);
        stages.put("upload", TimeUnit.NANOSECONDS.toMillis(uploadNanos));
        Instant now = clock.instant();
        report(
                job,
                stored != null
                        ? JobResult.succeeded(job.job(), workerId, queueWaitMs(job), stages, stored, now)
                        : JobResult.failed(job.job(), workerId, queueWaitMs(job), stages, failure, now));
    }

    private void report(QueuedJob job, JobResult result) {
        if (job.isReleased()) {
            done();
            return;
        }
        publisher.publish(result, () -> {
            metrics.jobOutcome(outcomeOf(result));
            if (result.status() == JobStatus.SUCCEEDED) {
                LOG.info(
                        "job_id={} request_id={} succeeded: s3://{}/{} ({} bytes)",
                        result.jobId(),
                        result.requestId(),
                        result.output().bucket(),
                        result.output().key(),
                        result.output().sizeBytes());
            } else {
                LOG.info(
                        "job_id={} request_id={} failed: {} {}",
                        result.jobId(),
                        result.requestId(),
                        result.error().reason(),
                        result.error().message());
            }
            onFinished.accept(job.position());
            done();
        });
    }

    private long queueWaitMs(QueuedJob job) {
        return job.queueWait(clock.instant()).toMillis();
    }

    static String outcomeOf(JobResult result) {
        return result.status() == JobStatus.SUCCEEDED
                ? WorkerMetrics.SUCCEEDED
                : result.error().reason().name().toLowerCase(Locale.ROOT);
    }

    /**
     * S3 being unreachable, slow or overloaded is worth waiting for; a refusal (bad keys, no such bucket) is not: it
     * will be the same next time.
     */
    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            return status >= 500 || status == 429 || status == 408;
        }
        return e instanceof SdkClientException || e.retryable();
    }

    private static boolean sleep(Duration wait) {
        try {
            Thread.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void done() {
        if (pending.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Jobs handed over whose results are not yet acknowledged. */
    public int pending() {
        return pending.get();
    }

    /** Waits until every handed-over job is acknowledged or dropped; true if that happened within {@code timeout}. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Abandons uploads still retrying (their jobs stay uncommitted) and stops the output thread. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The output thread did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
