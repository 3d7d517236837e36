package dev.sdfleet.worker.inference;

import dev.sdfleet.pipeline.GenerationCancelledException;
import dev.sdfleet.pipeline.GenerationResult;
import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.StageTimings;
import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.service.LogContext;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs the pipeline: takes a job, or a micro-batch of compatible jobs, from the {@link JobQueue},
 * refuses what must not run (deadline passed, cancelled, another model), generates, and hands every job to
 * {@link JobOutcomes}. Never runs on an event loop; never blocks on Kafka, nor on S3 except to read an init image
 * or mask that a job names by key ({@link InputImages}).
 *
 * <p>Other threads reach a running call only through {@link #cancel(CancelRequest)} and {@link #release}, which set
 * flags on the jobs and trip the call's {@code Cancellation}; the thread itself decides what each job's outcome is once
 * the call returns.
 */
public final class InferenceRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceRunner.class);
    /** How long a suspect's call waits for the results of earlier jobs (see {@link #call}). */
    private static final Duration SETTLE_BEFORE_SUSPECT = Duration.ofSeconds(30);

    /**
     * How the runner is set up (from the worker's config).
     *
     * @param workerId names the inference thread
     * @param modelId the model name jobs must ask for
     * @param batchSize the most jobs per pipeline call
     * @param batchWindow how long to wait for more compatible jobs once the first is taken (ignored at batch size 1)
     * @param progressThrottle the least time between two progress events of a job (first and last step always go)
     * @param crashQuarantine a job whose runs killed a worker this many times fails with {@code WORKER_CRASHED}
     *     instead of running again
     */
    public record Settings(
            String workerId,
            String modelId,
            int batchSize,
            Duration batchWindow,
            Duration progressThrottle,
            int crashQuarantine) {
        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            if (crashQuarantine < 1) {
                throw new IllegalArgumentException("crashQuarantine must be >= 1, got " + crashQuarantine);
            }
        }
    }

    /**
     * Where the runner takes jobs from and what it hands them to.
     *
     * @param queue the jobs to run
     * @param outcomes what happens to each job after its call
     * @param cancels the cancellations that arrived
     * @param progress where progress events go
     * @param runs where each call's start and end are recorded for the crash quarantine
     * @param inputs reads the jobs' init images and masks
     */
    public record Links(
            JobQueue queue,
            JobOutcomes outcomes,
            CancelRegistry cancels,
            ProgressSink progress,
            RunRecorder runs,
            InputImages inputs) {}

    private final ImageGenerator pipeline;
    private final Settings settings;
    private final JobQueue queue;
    private final JobOutcomes outcomes;
    private final CancelRegistry cancels;
    private final ProgressSink progress;
    private final RunRecorder runs;
    private final InputImages inputs;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final Runnable onFatal;
    private final Thread thread;
    private final Object lock = new Object();
    private RunningBatch running; // guarded by lock
    /** While a call runs: System.nanoTime() of its start or of its last step, whichever is later. */
    private volatile long lastSignOfLife;
    /** Whether a pipeline call is in progress (set after {@link #lastSignOfLife}, so that reading it first is safe). */
    private volatile boolean calling;

    /**
     * @param onFatal what to do when the thread dies of an error it cannot recover from (stop the worker)
     */
    public InferenceRunner(
            Settings settings,
            ImageGenerator pipeline,
            Links links,
            WorkerMetrics metrics,
            Clock clock,
            Runnable onFatal) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.queue = links.queue();
        this.outcomes = links.outcomes();
        this.cancels = links.cancels();
        this.progress = links.progress();
        this.runs = links.runs();
        this.inputs = links.inputs();
        this.metrics = metrics;
        this.clock = clock;
        this.onFatal = onFatal;
        this.thread = new Thread(this::loop, "sdfleet-inference-" + settings.workerId());
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                List<QueuedJob> taken = queue.takeBatch(
                        settings.batchSize(), settings.batchSize() > 1 ? settings.batchWindow() : Duration.ZERO);
                if (taken.isEmpty()) {
                    return; // the queue is closed: the worker is shutting down
                }
                runBatch(taken);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            // An Error (out of memory, a native crash surfacing) leaves the pipeline in an unknown state: stop the
            // worker so that its partitions move to a healthy one, rather than hold them and do nothing.
            LOG.error("Inference thread failed; stopping the worker", t);
            onFatal.run();
        }
    }

    private void runBatch(List<QueuedJob> taken) throws InterruptedException {
        Instant now = clock.instant();
        List<QueuedJob> runnable = new ArrayList<>(taken.size());
        for (QueuedJob job : taken) {
            job.markStarted(now);
            if (job.isReleased()) {
                outcomes.released(job);
                continue;
            }
            try (LogContext.Scope logs = JobLogContext.open(job)) {
                Failure refusal = refusal(job, now);
                if (refusal != null) {
                    LOG.info(
                            "job_id={} request_id={} refused: {} {}",
                            job.job().jobId(),
                            job.job().requestId(),
                            refusal.reason(),
                            refusal.message());
                    outcomes.failed(job, refusal, Map.of());
                } else {
                    metrics.queueWait(job.queueWait(now));
                    runnable.add(job);
                }
            }
        }
        if (!runnable.isEmpty()) {
            generate(new RunningBatch(runnable));
        }
    }

    private Failure refusal(QueuedJob queued, Instant now) {
        Job job = queued.job();
        if (queued.crashedRuns() >= settings.crashQuarantine()) {
            LOG.error(
                    "job_id={} request_id={} quarantined: {} of its runs killed the worker; not running it again",
                    job.jobId(),
                    job.requestId(),
                    queued.crashedRuns());
            return FailureClassifier.workerCrashed(queued.crashedRuns());
        }
        if (job.isExpiredAt(now)) {
            return FailureClassifier.deadlineExceeded("before it reached the GPU (deadline " + job.deadline() + ")");
        }
        CancelRequest cancel = cancels.find(job);
        if (cancel != null) {
            return FailureClassifier.cancelled(cancel);
        }
        if (!settings.modelId().equals(job.model())) {
            return FailureClassifier.unknownModel(job.model(), settings.modelId());
        }
        return null;
    }

    /**
     * Runs one pipeline call. When a call of several jobs fails, one of them may be the cause (a job the model
     * cannot serve) or none (a batch too large for the device): the jobs are run again one by one, so that only a job
     * that fails alone fails, with its own reason, and its batch-mates get their images.
     */
    private void generate(RunningBatch batch) throws InterruptedException {
        // The batch's fields on every line about it; each single-job call below has its own job's.
        try (LogContext.Scope logs = JobLogContext.open(batch.jobs())) {
            generateLogged(batch);
        }
    }

    private void generateLogged(RunningBatch batch) throws InterruptedException {
        RuntimeException failure = call(batch);
        if (failure == null) {
            return;
        }
        if (batch.jobs().size() == 1) {
            fail(batch.jobs().getFirst(), failure);
            return;
        }
        LOG.warn(
                "Generation of {} failed ({}); running its {} jobs one by one",
                batch,
                failure.toString(),
                batch.jobs().size());
        for (QueuedJob job : batch.jobs()) {
            if (job.isReleased() || queue.isClosed()) {
                // Closed: the worker is stopping and starts no new call; the next owner runs the job.
                job.release();
                outcomes.released(job);
                continue;
            }
            // A cancel or the deadline may have come while the batch ran.
            Failure refusal = refusal(job, clock.instant());
            if (refusal != null) {
                outcomes.failed(job, refusal, Map.of());
                continue;
            }
            RuntimeException alone = call(new RunningBatch(List.of(job)));
            if (alone != null) {
                fail(job, alone);
            }
        }
    }

    private void fail(QueuedJob job, RuntimeException e) {
        if (job.isReleased()) {
            outcomes.released(job);
            return;
        }
        Failure failure = FailureClassifier.of(e);
        try (LogContext.Scope logs = JobLogContext.open(job)) {
            LOG.warn(
                    "job_id={} request_id={} failed: {} {}",
                    job.job().jobId(),
                    job.job().requestId(),
                    failure.reason(),
                    failure.message(),
                    e);
        }
        outcomes.failed(job, failure, Map.of());
    }

    /**
     * One pipeline call for {@code batch}: on success or cancellation every job gets its outcome here; on failure
     * none does, and the failure is returned for the caller to decide.
     */
    private RuntimeException call(RunningBatch batch) throws InterruptedException {
        try (LogContext.Scope logs = JobLogContext.open(batch.jobs())) {
            return callLogged(batch);
        }
    }

    private RuntimeException callLogged(RunningBatch batch) throws InterruptedException {
        if (batch.jobs().stream().anyMatch(QueuedJob::isSuspect)) {
            // This call may kill the process again: first let the results of earlier jobs be acknowledged, so that
            // they are committed with this call's start mark and a crash here makes nobody else's image again.
            if (!outcomes.awaitIdle(SETTLE_BEFORE_SUSPECT)) {
                LOG.warn(
                        "Earlier results still unacknowledged after {}; running {} anyway",
                        SETTLE_BEFORE_SUSPECT,
                        batch);
            }
        }
        runs.starting(batch.jobs()); // before the call: should it kill the process, the next owner knows
        synchronized (lock) {
            running = batch;
        }
        // Re-checked after publishing the batch: a cancel or release that came in between the checks above and now
        // has either seen `running` or is visible here.
        for (QueuedJob job : batch.jobs()) {
            CancelRequest cancel = cancels.find(job.job());
            if (cancel != null) {
                batch.cancel(cancel);
            }
        }
        batch.stopIfAnyReleased();
        lastSignOfLife = System.nanoTime();
        calling = true;
        long start = System.nanoTime();
        try {
            GenerationResult result;
            try {
                List<Job> jobs = batch.jobs().stream().map(QueuedJob::job).toList();
                // Read here, inside the call, so that an unusable image fails like any other job of the batch (and
                // alone, on the one-by-one rerun). An S3 read blocks this thread, for at most the S3 client's call
                // timeout; it counts as the call's time.
                PipelineRequest request = PipelineRequests.forBatch(jobs, inputs.of(jobs.getFirst()));
                metrics.batchSize(batch.jobs().size());
                LOG.info("Generating {} ({}x{}, {} steps)", batch, request.width(), request.height(), request.steps());
                BatchProgress steps = new BatchProgress(
                        batch, progress, clock, settings.progressThrottle().toNanos());
                result = pipeline.generate(
                        request,
                        (step, total) -> {
                            lastSignOfLife = System.nanoTime(); // a step: the call is alive (liveness, step age)
                            steps.onStep(step, total);
                        },
                        batch.cancellation());
            } catch (GenerationCancelledException e) {
                endCancelled(batch);
                return null;
            } catch (RuntimeException e) {
                return e;
            }
            // Outside the catch above: a failure past the call must not make its jobs run again.
            Map<String, Long> stageMs = record(result.timings());
            LOG.info("Generated {} in {} ms", batch, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            for (int i = 0; i < batch.jobs().size(); i++) {
                QueuedJob job = batch.jobs().get(i);
                if (job.isReleased()) {
                    outcomes.released(job);
                } else {
                    // A cancel that came after the last step is too late: the image exists, so it is delivered.
                    outcomes.succeeded(job, result.images().get(i), stageMs);
                }
            }
            return null;
        } finally {
            calling = false;
            synchronized (lock) {
                running = null;
            }
            runs.ended(batch.jobs());
        }
    }

    /** Released jobs go back to Kafka, stopped ones get their failure, the rest of the batch goes back in the queue. */
    private void endCancelled(RunningBatch batch) {
        List<QueuedJob> putBack = new ArrayList<>();
        for (QueuedJob job : batch.jobs()) {
            if (job.isReleased()) {
                LOG.info("{} released: it stays uncommitted for another delivery", job);
                outcomes.released(job);
            } else if (job.stoppedWith() != null) {
                LOG.info("{} stopped: {}", job, job.stoppedWith().reason());
                outcomes.failed(job, job.stoppedWith(), Map.of());
            } else {
                putBack.add(job);
            }
        }
        if (!putBack.isEmpty()) {
            LOG.info("Putting {} batch-mates of a stopped job back in the queue", putBack.size());
            queue.putBack(putBack);
        }
    }

    /**
     * Records the stage meters and returns the stages as the result's {@code stage_ms}, in the order they ran. The PNG
     * is encoded after this thread is done with the job ({@code PngEncoding.DEFERRED}): the output stage adds
     * {@code png_encode}.
     */
    private Map<String, Long> record(StageTimings timings) {
        Map<String, Long> stageMs = new LinkedHashMap<>();
        stage(stageMs, "text_encoder", timings.textNanos());
        stage(stageMs, "denoise", timings.denoiseNanos());
        stage(stageMs, "vae_decode", timings.decodeNanos());
        if (timings.denoiseNanos() > 0) {
            metrics.denoiseStepsPerSecond(timings.unetCalls() / (timings.denoiseNanos() / 1e9));
        }
        return stageMs;
    }

    private void stage(Map<String, Long> stageMs, String name, long nanos) {
        metrics.stage(name, nanos);
        stageMs.put(name, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    /**
     * Fails the queued jobs that {@code cancel} covers and stops the running call if it holds one. Called by the
     * cancel listener, after it has added the cancel to the registry (jobs taken in between see it there).
     */
    public void cancel(CancelRequest cancel) {
        List<QueuedJob> removed = queue.removeIf(job -> cancel.covers(job.job()));
        Instant now = clock.instant();
        for (QueuedJob job : removed) {
            job.markStarted(now);
            LOG.info("{} cancelled while queued", job);
            outcomes.failed(job, FailureClassifier.cancelled(cancel), Map.of());
        }
        synchronized (lock) {
            if (running != null && running.cancel(cancel)) {
                LOG.info("Cancelling the running {}", running);
            }
        }
    }

    /**
     * Releases the running jobs that match (their partition was revoked, or the worker is out of drain time): the
     * call stops and they end with no result and no commit. Queued jobs are the caller's to remove.
     *
     * @return whether a running call was stopped
     */
    public boolean release(Predicate<QueuedJob> filter) {
        synchronized (lock) {
            return running != null && running.release(filter);
        }
    }

    /**
     * How long the pipeline call in progress has gone without a sign of life (its start, then each denoising step);
     * zero while no call runs. A call stuck inside ORT shows here as an age that only grows (the liveness probe).
     */
    public Duration stepAge() {
        if (!calling) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, System.nanoTime() - lastSignOfLife));
    }

    /** Whether a pipeline call is in progress. */
    public boolean isBusy() {
        synchronized (lock) {
            return running != null;
        }
    }

    /**
     * Waits for the thread to end (the queue must be closed first, or it waits for work forever).
     *
     * @return true if it ended within {@code timeout}
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /**
     * Closes the queue, so the thread ends after the call in progress (if any); use {@link #awaitTermination} to wait
     * and {@link #release} to stop that call early. Jobs still queued stay uncommitted.
     */
    @Override
    public void close() {
        queue.close();
    }
}
