package dev.sdfleet.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The worker's meters, in one Prometheus registry per worker (several workers in one JVM each scrape their own).
 * Names are Micrometer's; Prometheus sees them with {@code _total}, {@code _seconds} and {@code _bytes} suffixes,
 * e.g. {@code sdfleet_jobs_total{outcome="succeeded"}} or {@code sdfleet_stage_duration_seconds_bucket}.
 */
public final class WorkerMetrics implements AutoCloseable {
    /** Outcome tag of a job that produced an image. */
    public static final String SUCCEEDED = "succeeded";
    /** Outcome tag of a record parked on the dead-letter topic. */
    public static final String DEAD_LETTERED = "dead_lettered";
    /** Records parked on the dead-letter topic, by source topic and reason. */
    public static final String DEAD_LETTERS = "sdfleet.worker.dead.letters";
    /** Cancels that did not decode, by topic and reason. */
    public static final String CANCELS_SKIPPED = "sdfleet.worker.cancels.skipped";
    /** Records neither handled nor dead-lettered, by topic. */
    public static final String RECORDS_SKIPPED = "sdfleet.worker.records.skipped";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Timer> stages = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> badRecords = new ConcurrentHashMap<>();
    private final Timer queueWait;
    private final DistributionSummary stepsPerSecond;
    private final DistributionSummary batchSize;
    private final Timer modelLoad;
    private final Timer warmUp;
    private final DistributionSummary uploadBytes;
    private final Timer upload;
    private final Counter uploadFailures;
    private final Counter publishRetries;
    private final Counter crashSuspects;

    /**
     * @param model the model id the worker serves: every series carries it ({@code model} label), so dashboards and
     *     alerts can speak of one model of a fleet that serves several
     */
    public WorkerMetrics(String workerId, String model) {
        registry.config().commonTags(Tags.of("worker", workerId, "model", model));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        queueWait = histogram(Timer.builder("sdfleet.queue.wait")
                .description("From the dispatcher's enqueue to the start of inference"));
        stepsPerSecond = DistributionSummary.builder("sdfleet.denoise.steps.per.second")
                .description("UNet steps per second of denoising, per generation (a micro-batch counts once)")
                .publishPercentileHistogram()
                .minimumExpectedValue(0.1)
                .maximumExpectedValue(10_000.0)
                .register(registry);
        batchSize = DistributionSummary.builder("sdfleet.batch.size")
                .description("Jobs per pipeline call")
                .serviceLevelObjectives(1, 2, 4, 8, 16)
                .register(registry);
        modelLoad = Timer.builder("sdfleet.model.load")
                .description("Loading the model's sessions")
                .register(registry);
        warmUp = Timer.builder("sdfleet.model.warmup")
                .description("The warm-up generation before ready")
                .register(registry);
        uploadBytes = DistributionSummary.builder("sdfleet.s3.upload.size")
                .baseUnit("bytes")
                .description("Stored image sizes")
                .register(registry);
        upload = histogram(Timer.builder("sdfleet.s3.upload").description("S3 PutObject latency, per attempt"));
        uploadFailures = Counter.builder("sdfleet.s3.upload.failures")
                .description("S3 uploads that failed (each is retried or reported)")
                .register(registry);
        publishRetries = Counter.builder("sdfleet.kafka.publish.retries")
                .description("Result and dead-letter sends retried after a broker error")
                .register(registry);
        crashSuspects = Counter.builder("sdfleet.jobs.crash.suspects")
                .description("Jobs delivered again after a run of theirs killed a worker (they run alone)")
                .register(registry);
        // The outcomes alerts watch exist from the start at 0: Prometheus' increase() misses a series' first sample.
        outcomeCounter(SUCCEEDED);
        outcomeCounter(DEAD_LETTERED);
    }

    /** The registry, for the scrape endpoint and for tests. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus text format of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * One job or record finished with {@code outcome}: {@value #SUCCEEDED}, {@value #DEAD_LETTERED}, or a failure
     * reason in lower case (e.g. {@code invalid_parameters}).
     */
    public void jobOutcome(String outcome) {
        outcomeCounter(outcome).increment();
    }

    private Counter outcomeCounter(String outcome) {
        return outcomes.computeIfAbsent(
                outcome,
                o -> Counter.builder("sdfleet.jobs")
                        .description("Jobs by how they ended (counted when the result is acknowledged)")
                        .tag("outcome", o)
                        .register(registry));
    }

    /**
     * A record from {@code topic} was parked on the dead-letter topic (acknowledged there) for {@code reason}, a
     * {@code DeadLetterReason} name: {@code sdfleet_worker_dead_letters_total{topic,reason}}, reason in lower case.
     */
    public void deadLettered(String topic, String reason) {
        badRecord(DEAD_LETTERS, "Records parked on the dead-letter topic", topic, reason)
                .increment();
    }

    /**
     * A cancel that does not decode was skipped for {@code reason} (a {@code DeadLetterReason} name; the dispatcher
     * parks the one copy on the dead-letter topic): {@code sdfleet_worker_cancels_skipped_total{topic,reason}}.
     */
    public void cancelSkipped(String topic, String reason) {
        badRecord(CANCELS_SKIPPED, "Cancels that did not decode, skipped", topic, reason)
                .increment();
    }

    /**
     * A record that could neither be handled nor dead-lettered was skipped (logged with its position), so that it
     * does not hold its partition forever: {@code sdfleet_worker_records_skipped_total{topic,reason="unparkable"}}.
     */
    public void recordSkipped(String topic) {
        badRecord(RECORDS_SKIPPED, "Records neither handled nor dead-lettered", topic, "unparkable")
                .increment();
    }

    /** A job came back after a run of it killed a worker: {@code sdfleet_jobs_crash_suspects_total}. */
    public void crashSuspect() {
        crashSuspects.increment();
    }

    /** The count so far of a bad-record counter ({@link #deadLettered} and the like), 0 before the first. */
    public double badRecords(String name, String topic, String reason) {
        Counter counter = badRecords.get(List.of(name, topic, reason.toLowerCase(Locale.ROOT)));
        return counter == null ? 0 : counter.count();
    }

    private Counter badRecord(String name, String description, String topic, String reason) {
        String tag = reason.toLowerCase(Locale.ROOT);
        return badRecords.computeIfAbsent(
                List.of(name, topic, tag),
                k -> Counter.builder(name)
                        .description(description)
                        .tag("topic", topic)
                        .tag("reason", tag)
                        .register(registry));
    }

    public void stage(String stage, long nanos) {
        stages.computeIfAbsent(
                        stage,
                        s -> histogram(Timer.builder("sdfleet.stage.duration")
                                .description("Wall time per pipeline stage and per upload")
                                .tag("stage", s)))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void queueWait(Duration wait) {
        queueWait.record(wait);
    }

    public void denoiseStepsPerSecond(double rate) {
        stepsPerSecond.record(rate);
    }

    public void batchSize(int jobs) {
        batchSize.record(jobs);
    }

    public void modelLoaded(long nanos) {
        modelLoad.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void warmedUp(long nanos) {
        warmUp.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void uploaded(long bytes, long nanos) {
        uploadBytes.record(bytes);
        upload.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void uploadFailed(long nanos) {
        uploadFailures.increment();
        upload.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void publishRetried() {
        publishRetries.increment();
    }

    /** Registers a gauge read from {@code value} at scrape time (queue depth, in-flight jobs, paused partitions). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Uploads that have failed so far; tests use it to know an outage was noticed. */
    public double uploadFailures() {
        return uploadFailures.count();
    }

    /** Pipeline calls started (a micro-batch counts once); tests use it to see that nothing was denoised twice. */
    public long pipelineCalls() {
        return batchSize.count();
    }

    /** Images the pipeline was asked for, over every call started. */
    public double imagesGenerated() {
        return batchSize.totalAmount();
    }

    /** Uploads that succeeded so far. */
    public long uploads() {
        return uploadBytes.count();
    }

    private Timer histogram(Timer.Builder builder) {
        return builder.publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
