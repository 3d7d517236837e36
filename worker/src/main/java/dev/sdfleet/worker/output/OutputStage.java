package dev.sdfleet.worker.output;

import dev.sdfleet.pipeline.GeneratedImage;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.StoredImage;
import dev.sdfleet.service.LogContext;
import dev.sdfleet.worker.config.RetryPolicy;
import dev.sdfleet.worker.inference.JobLogContext;
import dev.sdfleet.worker.inference.JobOutcomes;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RecordPosition;
import dev.sdfleet.worker.kafka.ResultPublisher;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What happens to a job after the inference thread is done with it, on one output thread (so the GPU never waits for
 * S3, nor for the PNG encoder): the image's PNG is encoded (the pipeline defers it, {@code PngEncoding.DEFERRED}), the
 * PNG is uploaded, the result is built and published, and when the broker acknowledges it the job's offset is handed
 * to the consumer loop as finished.
 *
 * <p>Every job handed over ends in exactly one of three ways:
 * <ul>
 *   <li>stored, and a SUCCEEDED result published;</li>
 *   <li>a FAILED result published: the inference thread's failure, S3 refusing the upload for good,
 *   {@code STORAGE_UNAVAILABLE} once the retry window has passed, or {@code INTERNAL} when building or publishing its
 *   result threw (a bug: the job must still end, or its partition's commits stop behind it and its capacity slot is
 *   never given back);</li>
 *   <li>released (its partition moved, or the worker is closing): no result and no commit, so that Kafka delivers it
 *   again.</li>
 * </ul>
 *
 * <p><b>S3 outages.</b> An upload that fails transiently (S3 unreachable, 5xx, throttled, and 403s or expired tokens
 * from credentials being rotated or a skewed clock) is retried with backoff while the image is kept in memory, for up
 * to the retry window from the moment the image was handed over. Meanwhile the stage holds the consumer's intake (its
 * partitions are paused) so that no new job is taken while finished images wait; the hold ends when an upload
 * succeeds again or when no image is left waiting. A job whose window passes fails with {@code STORAGE_UNAVAILABLE},
 * not retryable: the worker has already waited the window, and another attempt would denoise it again into the same
 * outage.
 */
public final class OutputStage implements JobOutcomes, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputStage.class);
    /** Error codes of a 400 or 403 that new credentials or a corrected clock cure: retried like an outage. */
    private static final Set<String> CREDENTIAL_ERRORS = Set.of(
            "ExpiredToken",
            "TokenRefreshRequired",
            "RequestTimeTooSkewed",
            "RequestExpired",
            "InvalidToken",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "AccessDenied");

    /**
     * How the stage is set up (from the worker's config).
     *
     * @param workerId the worker's id in results and the output thread's name
     * @param retry the backoff between upload attempts
     * @param retryWindow how long a finished image waits for S3 before its job fails
     */
    public record Settings(String workerId, RetryPolicy retry, Duration retryWindow) {
        public Settings {
            if (retryWindow.isNegative() || retryWindow.isZero()) {
                throw new IllegalArgumentException("retryWindow must be positive, got " + retryWindow);
            }
        }
    }

    /**
     * What the stage reports to.
     *
     * @param onFinished told each job's record position once its result is acknowledged (the consumer loop commits
     *     it); called on a producer thread
     * @param holdIntake told true when new jobs must wait (finished images wait for S3), false when they may come
     *     again; called on the output or the inference thread
     */
    public record Links(Consumer<RecordPosition> onFinished, Consumer<Boolean> holdIntake) {}

    private final ImageStore store;
    private final ResultPublisher publisher;
    private final RetryPolicy retry;
    private final Duration retryWindow;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final String workerId;
    private final Consumer<RecordPosition> onFinished;
    private final Consumer<Boolean> holdIntake;
    private final ExecutorService executor;
    /** Jobs handed over and not yet acknowledged (or released). */
    private final AtomicInteger pending = new AtomicInteger();
    /** Images handed over and not yet stored (or given up on). */
    private final AtomicInteger awaitingUpload = new AtomicInteger();

    private final Object idle = new Object();
    /** Whether the last upload attempt failed transiently (S3 unavailable) rather than succeeded. */
    private volatile boolean storageDown;

    private volatile long storageDownSince;
    private boolean intakeHeld; // guarded by this

    public OutputStage(
            Settings settings,
            ImageStore store,
            ResultPublisher publisher,
            WorkerMetrics metrics,
            Clock clock,
            Links links) {
        this.store = store;
        this.publisher = publisher;
        this.retry = settings.retry();
        this.retryWindow = settings.retryWindow();
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = settings.workerId();
        this.onFinished = links.onFinished();
        this.holdIntake = links.holdIntake();
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "sdfleet-output-" + workerId));
    }

    @Override
    public void succeeded(QueuedJob job, GeneratedImage image, Map<String, Long> stageMs) {
        long handedOver = System.nanoTime();
        awaitingUpload.incrementAndGet();
        updateHold();
        boolean accepted = submit(job, () -> {
            try {
                return storeAndBuild(job, image, stageMs, handedOver);
            } finally {
                awaitingUpload.decrementAndGet();
                updateHold();
            }
        });
        if (!accepted) {
            awaitingUpload.decrementAndGet();
            updateHold();
        }
    }

    @Override
    public void failed(QueuedJob job, Failure failure, Map<String, Long> stageMs) {
        submit(job, () -> JobResult.failed(job.job(), workerId, queueWaitMs(job), stageMs, failure, clock.instant()));
    }

    @Override
    public void released(QueuedJob job) {
        LOG.debug("{} released, no result", job);
    }

    /**
     * Runs {@code work} on the output thread and publishes the result it builds (null: the job was released, or the
     * stage closed meanwhile). False if the stage is closed already: the job stays uncommitted.
     */
    private boolean submit(QueuedJob job, Supplier<JobResult> work) {
        pending.incrementAndGet();
        try {
            executor.execute(() -> run(job, work));
            return true;
        } catch (RejectedExecutionException e) {
            LOG.info("{} arrived after close, stays uncommitted for another delivery", job);
            done();
            return false;
        }
    }

    private void run(QueuedJob job, Supplier<JobResult> work) {
        try (LogContext.Scope logs = JobLogContext.open(job)) {
            JobResult result;
            try {
                result = work.get();
            } catch (RuntimeException e) {
                LOG.error("{}: building its result failed (a bug); it fails as INTERNAL", job, e);
                result = internalFailure(job, e);
            }
            if (result == null) {
                done();
            } else {
                publishOrFinish(job, result);
            }
        }
    }

    /**
     * Publishes {@code result}; if that throws (the result does not encode), an INTERNAL failure in its place; if even
     * that throws, the job is finished without a result, loudly: it must not hold its partition's commits forever.
     */
    private void publishOrFinish(QueuedJob job, JobResult result) {
        try {
            publish(job, result);
            return;
        } catch (RuntimeException e) {
            LOG.error("{}: its result cannot be published (a bug); it fails as INTERNAL", job, e);
            try {
                publish(job, internalFailure(job, e));
                return;
            } catch (RuntimeException again) {
                LOG.error("{}: not even a failure result can be published; finished without a result", job, again);
            }
        }
        metrics.jobOutcome(outcomeOf(FailureReason.INTERNAL));
        onFinished.accept(job.position());
        done();
    }

    private JobResult internalFailure(QueuedJob job, RuntimeException e) {
        Failure failure =
                Failure.of(FailureReason.INTERNAL, "the worker could not report this job's outcome: " + e, false);
        return JobResult.failed(job.job(), workerId, queueWaitMs(job), Map.of(), failure, clock.instant());
    }

    /**
     * Encodes the image's PNG and uploads it, retrying through outages for the retry window; null if the job was
     * released meanwhile.
     */
    private JobResult storeAndBuild(
            QueuedJob job, GeneratedImage image, Map<String, Long> stageMs, long handedOverNanos) {
        long deadline = handedOverNanos + retryWindow.toNanos();
        Map<String, Long> stages = new LinkedHashMap<>(stageMs);
        long encodeStart = System.nanoTime();
        byte[] png;
        try {
            png = image.png();
        } catch (RuntimeException e) {
            // The pixels exist but cannot become a PNG (a bug, or text the PNG cannot hold): nothing to upload, and
            // running the job again would end the same way.
            LOG.error("{}: encoding its PNG failed; it fails as INTERNAL", job, e);
            Failure failure = Failure.of(FailureReason.INTERNAL, "encoding the image's PNG failed: " + e, false);
            return JobResult.failed(job.job(), workerId, queueWaitMs(job), stages, failure, clock.instant());
        }
        long encodeNanos = System.nanoTime() - encodeStart;
        metrics.stage("png_encode", encodeNanos);
        stages.put("png_encode", TimeUnit.NANOSECONDS.toMillis(encodeNanos));
        long start = System.nanoTime();
        StoredImage stored = null;
        Failure failure = null;
        for (int attempt = 1; stored == null && failure == null; attempt++) {
            if (job.isReleased()) {
                LOG.info("{} released while its image waited for S3: no result, stays uncommitted", job);
                return null;
            }
            long attemptStart = System.nanoTime();
            try {
                stored = store.put(job.job(), png);
                metrics.uploaded(png.length, System.nanoTime() - attemptStart);
                markStorageAvailable();
            } catch (SdkException e) {
                metrics.uploadFailed(System.nanoTime() - attemptStart);
                failure = retryOrFail(job, e, attempt, deadline);
                if (failure == null && job.isReleased()) {
                    LOG.info("{} released while its image waited for S3: no result, stays uncommitted", job);
                    return null;
                }
                if (failure == null && Thread.currentThread().isInterrupted()) {
                    LOG.info("{}: upload abandoned at close, stays uncommitted for another delivery", job);
                    return null;
                }
            }
        }
        long uploadNanos = System.nanoTime() - start;
        metrics.stage("upload", uploadNanos);
        stages.put("upload", TimeUnit.NANOSECONDS.toMillis(uploadNanos));
        Instant now = clock.instant();
        return stored != null
                ? JobResult.succeeded(job.job(), workerId, queueWaitMs(job), stages, stored, now)
                : JobResult.failed(job.job(), workerId, queueWaitMs(job), stages, failure, now);
    }

    /**
     * After a failed attempt: the failure to report, or null once the backoff has been waited (or interrupted) and
     * the upload should be tried again.
     */
    private Failure retryOrFail(QueuedJob job, SdkException e, int attempt, long deadline) {
        String key = store.keyOf(job.job());
        if (!isTransient(e)) {
            LOG.warn("{}: S3 refused the upload of {}: {}", job, key, e.getMessage());
            return Failure.of(
                    FailureReason.STORAGE_UNAVAILABLE,
                    "S3 refused the upload of " + key + ": " + e.getMessage(),
                    false);
        }
        markStorageUnavailable(e);
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            String message = "S3 unavailable: the upload of " + key + " failed " + attempt + " times within the "
                    + retryWindow.toMillis() + " ms retry window (SDFLEET_S3_RETRY_WINDOW_MS); last error: "
                    + e.getMessage();
            LOG.warn("{}: {}", job, message);
            return Failure.of(FailureReason.STORAGE_UNAVAILABLE, message, false);
        }
        Duration wait = retry.backoff(attempt);
        if (wait.toNanos() > left) {
            wait = Duration.ofNanos(left);
        }
        LOG.warn(
                "{}: upload of {} failed ({}), attempt {}, retrying in {} ms ({} ms of the retry window left)",
                job,
                key,
                e.getMessage(),
                attempt,
                wait.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(left));
        sleep(wait);
        return null;
    }

    private void publish(QueuedJob job, JobResult result) {
        if (job.isReleased()) {
            LOG.info("{} released before its result went out: no result, stays uncommitted", job);
            done();
            return;
        }
        publisher.publish(result, job.trace(), () -> {
            // On a producer thread: the job's log fields are set here again.
            try (LogContext.Scope logs = JobLogContext.open(job)) {
                finished(job, result);
            }
        });
    }

    private void finished(QueuedJob job, JobResult result) {
        // The commit first: nothing below may keep the job from finishing.
        try {
            onFinished.accept(job.position());
        } finally {
            done();
        }
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
    }

    private void markStorageUnavailable(SdkException e) {
        if (!storageDown) {
            storageDownSince = System.nanoTime();
            storageDown = true;
            LOG.warn(
                    "S3 unavailable ({}): new jobs wait while finished images are kept and their uploads retried",
                    e.getMessage());
        }
        updateHold();
    }

    private void markStorageAvailable() {
        if (storageDown) {
            storageDown = false;
            LOG.info(
                    "S3 available again after {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - storageDownSince));
        }
        updateHold();
    }

    /** Intake is held while S3 is down and a finished image waits; the next image to come along probes S3 again. */
    private synchronized void updateHold() {
        boolean hold = storageDown && awaitingUpload.get() > 0;
        if (hold != intakeHeld) {
            intakeHeld = hold;
            LOG.info(
                    hold
                            ? "Holding intake: {} finished images wait for S3"
                            : "Releasing intake ({} images wait for S3)",
                    awaitingUpload.get());
            holdIntake.accept(hold);
        }
    }

    private long queueWaitMs(QueuedJob job) {
        return job.queueWait(clock.instant()).toMillis();
    }

    static String outcomeOf(JobResult result) {
        return result.status() == JobStatus.SUCCEEDED
                ? WorkerMetrics.SUCCEEDED
                : outcomeOf(result.error().reason());
    }

    private static String outcomeOf(FailureReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether waiting may cure a failed upload: S3 unreachable, slow or overloaded, or refusing credentials that are
     * being rotated or a clock that is off (403s, expired tokens). A request S3 finds malformed (other 4xx) fails the
     * same way next time.
     */
    static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = service.awsErrorDetails() == null
                    ? null
                    : service.awsErrorDetails().errorCode();
            return status >= 500
                    || status == 429
                    || status == 408
                    || status == 403
                    || status == 401
                    || status == 404
                    || (code != null && CREDENTIAL_ERRORS.contains(code));
        }
        return e instanceof SdkClientException || e.retryable();
    }

    /** Sleeps; an interrupt (close) ends the sleep early and stays set for the caller to see. */
    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** Finished images not yet stored (waiting for their upload, or retrying it through an outage). */
    public int awaitingUpload() {
        return awaitingUpload.get();
    }

    /** Whether S3 is reachable as far as the last upload attempt knows. */
    public boolean storageAvailable() {
        return !storageDown;
    }

    /** Waits until every handed-over job is acknowledged or released; true if that happened within {@code timeout}. */
    @Override
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

    /** Abandons uploads still retrying and results not yet built (their jobs stay uncommitted); stops the thread. */
    @Override
    public void close() {
        List<Runnable> abandoned = executor.shutdownNow();
        if (!abandoned.isEmpty()) {
            LOG.info("{} jobs left without a result at close: they stay uncommitted", abandoned.size());
            abandoned.forEach(task -> done());
        }
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("The output thread did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
