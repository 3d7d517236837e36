package dev.sdfleet.worker;

import dev.sdfleet.pipeline.DiffusionPipeline;
import dev.sdfleet.pipeline.PngEncoding;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.http.HttpVerticle;
import dev.sdfleet.worker.http.Liveness;
import dev.sdfleet.worker.http.Readiness;
import dev.sdfleet.worker.inference.CancelRegistry;
import dev.sdfleet.worker.inference.ImageGenerator;
import dev.sdfleet.worker.inference.InferenceRunner;
import dev.sdfleet.worker.inference.InputImageException;
import dev.sdfleet.worker.inference.InputImages;
import dev.sdfleet.worker.inference.JobQueue;
import dev.sdfleet.worker.inference.QueuedJob;
import dev.sdfleet.worker.inference.RunRecorder;
import dev.sdfleet.worker.kafka.CancelListener;
import dev.sdfleet.worker.kafka.JobConsumerLoop;
import dev.sdfleet.worker.kafka.JobIntake;
import dev.sdfleet.worker.kafka.KafkaClients;
import dev.sdfleet.worker.kafka.LoopState;
import dev.sdfleet.worker.kafka.ResultPublisher;
import dev.sdfleet.worker.kafka.ShareJobLoop;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import dev.sdfleet.worker.model.ModelSource;
import dev.sdfleet.worker.model.WarmUp;
import dev.sdfleet.worker.output.ImageStore;
import dev.sdfleet.worker.output.OutputStage;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * One worker: its own pipeline, consumer, producer and HTTP port. {@link #start()} brings it up in order (HTTP first,
 * so liveness answers during a long model load; the consumer last, so it joins the group only once it can work);
 * {@link #close()} takes it down gracefully within the configured drain timeout. Several can run in one JVM (tests,
 * the local fleet); {@link WorkerMain} runs one as a program.
 *
 * <p>This class is the only place where the parts are wired together.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** What a graceful stop grants the last acknowledgements and the final commit beyond the drain timeout. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final WorkerConfig config;
    private final Clock clock;
    private final UnaryOperator<ImageGenerator> generator;
    private final WorkerMetrics metrics;
    private final Liveness liveness;
    private final Readiness readiness = new Readiness();
    private final JobQueue queue = new JobQueue();
    private final CancelRegistry cancels = new CancelRegistry();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean shutDown = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private boolean started; // guarded by lifecycle
    private boolean starting; // guarded by lifecycle
    private volatile boolean closeRequested;
    private volatile boolean failed;

    private Vertx vertx;
    private volatile HttpVerticle http;
    private S3Client s3;
    private DiffusionPipeline pipeline;
    private ResultPublisher publisher;
    private OutputStage output;
    private InferenceRunner runner;
    private volatile JobIntake loop;
    private CancelListener cancelListener;

    public Worker(WorkerConfig config) {
        this(config, Clock.systemUTC());
    }

    public Worker(WorkerConfig config, Clock clock) {
        this(config, clock, UnaryOperator.identity());
    }

    /**
     * A worker whose pipeline calls go through {@code generator} (given the real pipeline's): for tests that need one
     * job of a batch to fail for a reason of its own.
     */
    Worker(WorkerConfig config, Clock clock, UnaryOperator<ImageGenerator> generator) {
        this.config = config;
        this.clock = clock;
        this.generator = generator;
        this.metrics = new WorkerMetrics(config.workerId(), config.modelId());
        this.liveness = new Liveness(config.stallTimeout());
    }

    /**
     * Starts everything and returns once the worker takes jobs.
     *
     * @throws IllegalStateException when a part cannot start (what had started is closed again)
     */
    public Worker start() {
        synchronized (lifecycle) {
            if (started || closeRequested) {
                throw new IllegalStateException("worker " + config.workerId() + " was started or closed already");
            }
            started = true;
            starting = true;
        }
        LOG.info("Starting {}", config);
        try {
            startHttp();
            s3 = config.s3().client();
            checkNotClosed();
            loadModel();
            checkNotClosed();
            startKafkaSide();
            checkNotClosed();
            LOG.info(
                    "Worker {} ready: model {}, jobs from {}, HTTP on port {}",
                    config.workerId(),
                    config.modelId(),
                    config.topics().jobs(),
                    httpPort());
            return this;
        } catch (RuntimeException | InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("Worker {} failed to start: {}", config.workerId(), e.toString());
            shutdownOnce();
            throw new IllegalStateException("worker " + config.workerId() + " failed to start: " + e.getMessage(), e);
        } finally {
            synchronized (lifecycle) {
                starting = false;
                lifecycle.notifyAll();
            }
        }
    }

    /** A close() during start (SIGTERM while the model loads) ends the start at the next step. */
    private void checkNotClosed() {
        if (closeRequested) {
            throw new IllegalStateException("closed while starting");
        }
    }

    private void startHttp() throws InterruptedException, ExecutionException, TimeoutException {
        // One event loop is plenty for a scrape and two health probes.
        vertx = Vertx.vertx(
                new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        http = new HttpVerticle(config.httpPort(), metrics, liveness, readiness, this::drain);
        vertx.deployVerticle(http)
                .toCompletionStage()
                .toCompletableFuture()
                .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private void loadModel() {
        Path dir = ModelSource.resolve(config.model(), config.modelCache(), config.s3()::client);
        long start = System.nanoTime();
        // TensorRT profiles for the model's native size: the size of the warm-up run and of most jobs.
        int side = WarmUp.nativeSide(dir);
        pipeline = DiffusionPipeline.load(dir, config.runtimeSettings(new RuntimeSettings.ImageSize(side, side)));
        metrics.modelLoaded(System.nanoTime() - start);
        readiness.modelLoaded(config.modelId());
        LOG.info(
                "Model {} loaded from {} in {} ms ({} on {})",
                config.modelId(),
                dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                pipeline.info().family(),
                pipeline.info().components().stream()
                        .map(c -> c.name() + ":" + c.provider())
                        .toList());
        start = System.nanoTime();
        WarmUp.run(pipeline);
        metrics.warmedUp(System.nanoTime() - start);
        readiness.warmedUp();
        LOG.info("Warm-up generation done in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Init images and masks named by key come from the fleet's bucket (at its root, under
     * {@code inputs/<tenant>/}, whatever the output prefix), read with the worker's S3 client.
     */
    private InputImages inputImages(String bucket) {
        return new InputImages((key, maxBytes) -> {
            try (ResponseInputStream<GetObjectResponse> in =
                    s3.getObject(b -> b.bucket(bucket).key(key))) {
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) {
                    throw new InputImageException(
                            "s3://" + bucket + "/" + key + " is larger than " + maxBytes + " bytes", false);
                }
                return bytes;
            } catch (IOException e) {
                throw SdkClientException.create("reading s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        });
    }

    private void startKafkaSide() throws InterruptedException {
        String id = config.workerId();
        Topics topics = config.topics();
        KafkaClients clients =
                new KafkaClients(config.kafkaBootstrap(), config.groupId(), id, config.kafkaProperties());
        publisher = new ResultPublisher(clients.producer(), topics, id, config.retry(), metrics, clock, this::fatal);
        ImageStore store = new ImageStore(s3, config.s3().bucket(), config.s3().prefix(), id);
        // The loop is created below; acknowledgements and images only arrive for records it has polled, so it exists
        // by then.
        output = new OutputStage(
                new OutputStage.Settings(id, config.retry(), config.s3RetryWindow()),
                store,
                publisher,
                metrics,
                clock,
                new OutputStage.Links(position -> loop.finished(position), hold -> loop.holdIntake(hold)));
        // The loop is created below; the inference thread starts a call only after the loop has polled its jobs.
        RunRecorder runs = new RunRecorder() {
            @Override
            public void starting(List<QueuedJob> jobs) throws InterruptedException {
                loop.runRecorder().starting(jobs);
            }

            @Override
            public void ended(List<QueuedJob> jobs) {
                loop.runRecorder().ended(jobs);
            }
        };
        runner = new InferenceRunner(
                new InferenceRunner.Settings(
                        id,
                        config.modelId(),
                        config.batchSize(),
                        config.batchWait(),
                        config.progressThrottle(),
                        config.crashQuarantine()),
                // The PNG is encoded by the output stage, off this thread: the GPU starts the next job at once.
                generator.apply((request, progress, cancellation) ->
                        pipeline.generate(request, progress, cancellation, PngEncoding.DEFERRED)),
                new InferenceRunner.Links(
                        queue,
                        output,
                        cancels,
                        publisher::publishProgress,
                        runs,
                        inputImages(config.s3().bucket())),
                metrics,
                clock,
                this::fatal);
        loop = config.sharedIntake()
                ? new ShareJobLoop(
                        new ShareJobLoop.Settings(id, topics, config.jobLanes(), config.groupId(), config.shareLock()),
                        clients,
                        queue,
                        publisher,
                        metrics,
                        clock,
                        this::fatal)
                : new JobConsumerLoop(
                        new JobConsumerLoop.Settings(id, topics, config.jobLanes(), config.queueCapacity()),
                        clients,
                        new JobConsumerLoop.Stages(queue, runner, publisher),
                        metrics,
                        clock,
                        this::fatal);
        cancelListener = new CancelListener(
                new CancelListener.Settings(topics.cancels(), config.cancelLookback(), id),
                clients,
                cancels,
                runner,
                metrics,
                clock);
        metrics.gauge("sdfleet.queue.depth", "Jobs waiting for the inference thread", queue::size);
        metrics.gauge("sdfleet.jobs.in.flight", "Jobs polled and not yet committed", loop::inFlight);
        metrics.gauge(
                "sdfleet.partitions.paused", "Partitions paused because the queue is full", loop::pausedPartitions);
        metrics.gauge("sdfleet.output.pending", "Results not yet acknowledged", output::pending);
        metrics.gauge(
                "sdfleet.output.awaiting.upload",
                "Finished images not yet stored (retried through an S3 outage for the retry window)",
                output::awaitingUpload);
        metrics.gauge(
                "sdfleet.s3.available", "0 while uploads fail for want of S3", () -> output.storageAvailable() ? 1 : 0);
        metrics.gauge(
                "sdfleet.inference.step.age.seconds",
                "How long the running pipeline call has gone without a denoising step (0 when idle)",
                () -> runner.stepAge().toNanos() / 1e9);
        metrics.gauge("sdfleet.ready", "1 while the worker takes jobs", () -> readiness.isReady() ? 1 : 0);
        readiness.cancelListener(cancelListener::isReading);
        metrics.gauge(
                "sdfleet.worker.cancel.listener.up",
                "1 while the cancel listener reads every partition of the cancels topic",
                () -> cancelListener.isReading() ? 1 : 0);
        liveness.inference(runner::stepAge);
        runner.start();
        cancelListener.start();
        loop.start(START_TIMEOUT);
        readiness.consumer(loop::state);
    }

    /**
     * Stops taking jobs (every partition paused; polling, acknowledging and committing go on) and reports not ready;
     * the job running now still finishes. What a preStop hook asks for before SIGTERM brings {@link #close()}.
     */
    public void drain() {
        JobIntake current = loop;
        if (current != null) {
            current.drain();
        }
    }

    /** The worker's settings. */
    public WorkerConfig config() {
        return config;
    }

    /** The worker's meters (what {@code /metrics} shows). */
    public WorkerMetrics metrics() {
        return metrics;
    }

    /** The port {@code /metrics} and {@code /health} listen on, or -1 before start. */
    public int httpPort() {
        return http == null ? -1 : http.actualPort();
    }

    /** The consumer loop's state (STARTING before start). */
    public LoopState state() {
        JobIntake current = loop;
        return current == null ? LoopState.STARTING : current.state();
    }

    /** What {@code /health/ready} says. */
    public boolean isReady() {
        return readiness.isReady();
    }

    /** Whether the worker stopped because a part of it failed (rather than because it was told to). */
    public boolean hasFailed() {
        return failed;
    }

    /** Blocks until the worker has stopped (after {@link #close()}, or after a fatal error closed it). */
    public void awaitTermination() throws InterruptedException {
        closed.await();
    }

    /** A part died of an error it cannot recover from: stop the whole worker, so its partitions move elsewhere. */
    private void fatal() {
        if (failed) {
            return;
        }
        failed = true;
        Thread closer = new Thread(this::close, "sdfleet-close-" + config.workerId());
        closer.start();
    }

    /**
     * Stops gracefully and leaves the group: no new jobs, the running job gets up to the drain timeout to finish
     * (and its result to be acknowledged), otherwise it is released, uncommitted, for another worker; then the last
     * commit, and every resource is closed. Idempotent; a second caller waits for the first.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closeRequested = true;
            // A start in progress notices at its next step and shuts down itself; wait for it rather than pull the
            // parts away from under it.
            while (starting) {
                try {
                    lifecycle.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        shutdownOnce();
    }

    /** Runs {@link #shutdown()} once; later callers wait for it to end. */
    private void shutdownOnce() {
        if (!shutDown.compareAndSet(false, true)) {
            awaitClosedQuietly();
            return;
        }
        try {
            shutdown();
        } finally {
            closed.countDown();
        }
    }

    private void shutdown() {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        LOG.info(
                "Worker {} stopping (drain timeout {} ms)",
                config.workerId(),
                config.drainTimeout().toMillis());
        if (loop != null) {
            loop.drain();
        }
        List<QueuedJob> left = queue.close();
        left.forEach(QueuedJob::release);
        if (!left.isEmpty()) {
            LOG.info("{} queued jobs left uncommitted for another worker", left.size());
        }
        boolean runnerStopped = stopRunner(deadline);
        if (output != null) {
            awaitOutput(deadline);
            output.close();
        }
        if (loop != null) {
            loop.stop();
            awaitQuietly(loop, Duration.ofSeconds(30));
        }
        closeQuietly("cancel listener", cancelListener);
        if (publisher != null) {
            publisher.close(GRACE);
        }
        stopHttp();
        if (pipeline != null) {
            if (runnerStopped) {
                closeQuietly("pipeline", pipeline);
            } else {
                // Closing sessions under a running generation could crash natively; the process is ending anyway.
                LOG.warn("The inference thread is still running; leaving the pipeline open");
            }
        }
        closeQuietly("S3 client", s3);
        metrics.close();
        LOG.info("Worker {} stopped", config.workerId());
    }

    private boolean stopRunner(long deadline) {
        if (runner == null) {
            return true;
        }
        runner.close();
        try {
            if (runner.awaitTermination(left(deadline))) {
                return true;
            }
            if (runner.stepAge().compareTo(config.stallTimeout()) > 0) {
                // Stuck (the liveness probe said so): a release is only seen at the next step, which never comes. Its
                // run stays marked in the committed offsets and counts towards the crash quarantine.
                LOG.warn("The running job is stuck ({} without a step): leaving it", runner.stepAge());
                return false;
            }
            LOG.warn("The running job did not finish within the drain timeout: releasing it for another worker");
            runner.release(job -> true);
            return runner.awaitTermination(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitOutput(long deadline) {
        try {
            Duration wait = left(deadline);
            if (!output.awaitIdle(wait.compareTo(GRACE) < 0 ? GRACE : wait)) {
                LOG.warn("{} results not acknowledged in time: their jobs stay uncommitted", output.pending());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopHttp() {
        if (vertx == null) {
            return;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Stopping HTTP failed: {}", e.toString());
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static void awaitQuietly(JobIntake loop, Duration timeout) {
        try {
            if (!loop.awaitStopped(timeout)) {
                LOG.warn("The consumer loop did not stop within {}", timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitClosedQuietly() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("Closing the {} failed: {}", what, e.toString());
        }
    }
}
