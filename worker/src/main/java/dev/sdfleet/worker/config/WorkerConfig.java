package dev.sdfleet.worker.config;

import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.protocol.Identifier;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.service.KafkaClientProperties;
import dev.sdfleet.service.LogSettings;
import dev.sdfleet.service.S3ClientSettings;
import dev.sdfleet.service.Setting;
import dev.sdfleet.service.SettingSet;
import dev.sdfleet.service.SettingValues;
import dev.sdfleet.service.SettingsBuilder;
import dev.sdfleet.worker.model.ModelSource;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything a worker is told, validated up front. Each setting is declared once below (its {@code SDFLEET_*}
 * variable, default, bounds and meaning); {@link #SETTINGS} derives from them reading the environment
 * ({@link #fromEnv}), writing it back ({@link #toEnv}), the start-up log line without secrets ({@link #toString}) and
 * the table in worker/README.md.
 */
public final class WorkerConfig {
    public static final Setting<String> KAFKA_BOOTSTRAP = Setting.text(
                    "SDFLEET_KAFKA_BOOTSTRAP", "Kafka `bootstrap.servers`")
            .withDefault("localhost:9092")
            .required();
    public static final Setting<String> KAFKA_GROUP = Setting.text("SDFLEET_KAFKA_GROUP", "the workers' consumer group")
            .withDefault("sdfleet-workers")
            .required();
    public static final Setting<String> TOPIC_PREFIX = Setting.text(
                    "SDFLEET_TOPIC_PREFIX", "the fleet's topic prefix (include the separator)")
            .withDefault(Topics.DEFAULT_PREFIX)
            .check("a prefix of legal topic names", WorkerConfig::legalTopicPrefix);
    public static final Setting<String> WORKER_ID = Setting.text(
                    "SDFLEET_WORKER_ID", "this worker's id in results, logs, client ids and metrics")
            .withDefault(values -> defaultWorkerId(), "`$HOSTNAME-<pid>`")
            .check("an identifier (" + Identifier.DESCRIPTION + ")", Identifier::isValid);
    /** Shared with the dispatcher and the CLI: one way to secure every Kafka client. */
    public static final Setting<Path> KAFKA_PROPERTIES_FILE = KafkaClientProperties.FILE;

    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = KafkaClientProperties.INLINE;
    /** Shared with the dispatcher: one way to reach S3. */
    public static final Setting<URI> S3_ENDPOINT = S3ClientSettings.ENDPOINT;

    public static final Setting<String> S3_REGION = S3ClientSettings.REGION;
    public static final Setting<String> S3_BUCKET = Setting.text("SDFLEET_S3_BUCKET", "the bucket for images")
            .withDefault("sdfleet")
            .required()
            .check(S3Settings.BUCKET_RULE, bucket -> S3Settings.bucketNameProblem(bucket) == null);
    public static final Setting<String> S3_PREFIX = Setting.text(
                    "SDFLEET_S3_PREFIX", "image keys are `{prefix}/{request_id}/{image_index}.png`")
            .withDefault("images")
            .check("without '/' at either end", p -> !p.startsWith("/") && !p.endsWith("/"))
            .check(
                    "at most " + S3Settings.MAX_PREFIX_LENGTH + " characters",
                    p -> p.length() <= S3Settings.MAX_PREFIX_LENGTH);
    public static final Setting<String> S3_ACCESS_KEY = S3ClientSettings.ACCESS_KEY;
    public static final Setting<String> S3_SECRET_KEY = S3ClientSettings.SECRET_KEY;
    public static final Setting<Boolean> S3_PATH_STYLE = S3ClientSettings.PATH_STYLE;
    public static final Setting<String> MODEL = Setting.text("SDFLEET_MODEL", "a model folder or `s3://bucket/prefix`")
            .withDefault("models/tiny-sd")
            .required();
    public static final Setting<String> MODEL_ID = Setting.text("SDFLEET_MODEL_ID", "the model name jobs must ask for")
            .withDefault(values -> ModelSource.idOf(values.get(MODEL)), "the model's last name")
            .required();
    public static final Setting<Path> MODEL_CACHE = Setting.path(
                    "SDFLEET_MODEL_CACHE", "where S3 models are downloaded to")
            .withDefault(
                    values -> Path.of(System.getProperty("user.home"), ".cache", "sdfleet", "models"),
                    "`~/.cache/sdfleet/models`");
    public static final Setting<List<ExecutionProvider>> PROVIDERS = Setting.of(
                    "SDFLEET_PROVIDERS",
                    "ONNX Runtime execution providers in preference order, e.g. `tensorrt,cuda,cpu`",
                    ExecutionProvider::parseList,
                    list -> String.join(
                            ",", list.stream().map(ExecutionProvider::id).toList()))
            .withDefault(List.of(ExecutionProvider.CPU))
            .check("at least one provider", list -> !list.isEmpty());
    public static final Setting<Integer> THREADS = Setting.integer(
                    "SDFLEET_THREADS", "ONNX Runtime intra-op threads (0: ORT decides)")
            .withDefault(0)
            .atLeast(0);
    public static final Setting<Path> TRT_CACHE = Setting.path(
                    "SDFLEET_TRT_CACHE", "TensorRT engine and timing cache folder")
            .unsetMeans("none");
    public static final Setting<Path> GRAPH_CACHE = Setting.path(
                    "SDFLEET_GRAPH_CACHE",
                    "folder for ONNX Runtime's optimised graphs on the CPU provider: a restart skips the graph"
                            + " optimisations (most of an SD-sized UNet's load)")
            .withDefault(
                    values -> values.get(TRT_CACHE) == null
                            ? null
                            : values.get(TRT_CACHE).resolve("graphs"),
                    "`$SDFLEET_TRT_CACHE/graphs`, none without a TensorRT cache");
    public static final Setting<Integer> BATCH_SIZE = Setting.integer(
                    "SDFLEET_BATCH_SIZE", "the most jobs per pipeline call")
            .withDefault(1)
            .between(1, PipelineRequest.MAX_PROMPTS);
    public static final Setting<Integer> MAX_IMAGES_PER_CALL = Setting.integer(
                    "SDFLEET_MAX_IMAGES_PER_CALL",
                    "the most images in one UNet call: a batch of more jobs runs as several calls (on a GPU, set it to"
                            + " the batch size to batch on the GPU; TensorRT's profiles cover this many)")
            .withDefault(RuntimeSettings.DEFAULT_MAX_IMAGES_PER_CALL)
            .between(1, PipelineRequest.MAX_PROMPTS);
    public static final Setting<Boolean> SPLIT_GUIDANCE = Setting.flag(
                    "SDFLEET_SPLIT_GUIDANCE",
                    "classifier-free guidance as two UNet runs of half the batch (half the activations' memory, the"
                            + " same images)")
            .withDefault(RuntimeSettings.DEFAULT_SPLIT_GUIDANCE);
    public static final Setting<Boolean> SHRINK_ARENAS = Setting.flag(
                    "SDFLEET_SHRINK_ARENAS",
                    "hand each ONNX Runtime session's CPU arena back after its stage of an image: the stages'"
                            + " activations no longer add up in the peak (an SD-1.5-shaped model: 8.4 to 6.3 GB), each"
                            + " image grows the arenas again (about 3 % per image at 20 steps, 8 % on tiny models)")
            .withDefault(RuntimeSettings.DEFAULT_SHRINK_ARENAS);
    public static final Setting<Map<String, String>> ORT_OPTIONS = Setting.properties(
                    "SDFLEET_ORT_OPTIONS",
                    "ONNX Runtime session options over the pipeline's, key=value,... (config keys such as"
                            + " `session.intra_op.allow_spinning`, or `enable_cpu_mem_arena`, `enable_mem_pattern`,"
                            + " `graph_optimization_level`): for tuning, see BENCHMARKS.md \"SD-1.5-shaped model\"")
            .withDefault(Map.of())
            .check("ORT config keys (with a dot) or " + new TreeSet<>(RuntimeSettings.CpuSettings.SETTERS), options -> {
                try {
                    new RuntimeSettings.CpuSettings(0, 0, options);
                    return true;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            });
    public static final Setting<Duration> BATCH_WAIT = Setting.millis(
                    "SDFLEET_BATCH_WAIT_MS", "wait for more compatible jobs once one is taken (batch size above 1)")
            .withDefault(Duration.ofMillis(50))
            .atLeast(0);
    public static final Setting<Integer> QUEUE_CAPACITY = Setting.integer(
                    "SDFLEET_QUEUE_CAPACITY", "jobs in flight (queued, running, uploading) before the partitions pause")
            .withDefault(values -> 2 * values.get(BATCH_SIZE), "2 × batch size")
            .check(">= SDFLEET_BATCH_SIZE", (capacity, values) -> capacity >= values.get(BATCH_SIZE));
    public static final Setting<Duration> DRAIN_TIMEOUT = Setting.millis(
                    "SDFLEET_DRAIN_TIMEOUT_MS", "how long a shutdown waits for the running job before releasing it")
            .withDefault(Duration.ofSeconds(30))
            .atLeast(0);
    public static final Setting<Duration> PROGRESS_THROTTLE = Setting.millis(
                    "SDFLEET_PROGRESS_THROTTLE_MS", "the least time between two progress events of a job")
            .withDefault(Duration.ofMillis(250))
            .atLeast(0);
    public static final Setting<Duration> CANCEL_LOOKBACK = Setting.millis(
                    "SDFLEET_CANCEL_LOOKBACK_MS", "how far back the cancel listener starts reading")
            .withDefault(Duration.ofMinutes(15))
            .atLeast(0);
    public static final Setting<Integer> HTTP_PORT = Setting.integer(
                    "SDFLEET_HTTP_PORT", "the metrics and health port (0: any free port)")
            .withDefault(8080)
            .between(0, 65535);
    public static final Setting<Duration> RETRY_BACKOFF = Setting.millis(
                    "SDFLEET_RETRY_BACKOFF_MS", "the wait before the first retry; doubled after each")
            .withDefault(Duration.ofMillis(200))
            .positive();
    public static final Setting<Duration> RETRY_MAX_BACKOFF = Setting.millis(
                    "SDFLEET_RETRY_MAX_BACKOFF_MS", "the longest wait between two retries")
            .withDefault(Duration.ofSeconds(10))
            .check(">= SDFLEET_RETRY_BACKOFF_MS", (max, values) -> max.compareTo(values.get(RETRY_BACKOFF)) >= 0);
    public static final Setting<Duration> S3_RETRY_WINDOW = Setting.millis(
                    "SDFLEET_S3_RETRY_WINDOW_MS",
                    "how long a finished image waits for S3 (uploads retried, intake paused) before its job fails with"
                            + " `STORAGE_UNAVAILABLE`")
            .withDefault(Duration.ofMinutes(15))
            .positive();
    public static final Setting<Duration> STALL_TIMEOUT = Setting.millis(
                    "SDFLEET_STALL_TIMEOUT_MS",
                    "a pipeline call this long without a denoising step (or the call's start) is stuck: `/health/live`"
                            + " answers 503 so that Kubernetes restarts the worker")
            .withDefault(Duration.ofMinutes(5))
            .positive();
    public static final Setting<Integer> CRASH_QUARANTINE = Setting.integer(
                    "SDFLEET_CRASH_QUARANTINE_RUNS",
                    "a job whose runs killed the worker process this many times (crash, OOM kill, a hang ended by the"
                            + " liveness probe) is not run again: it fails with `WORKER_CRASHED`")
            .withDefault(3)
            .between(1, 10);
    public static final String INTAKE_GROUP = "group";
    public static final String INTAKE_SHARE = "share";
    public static final Setting<String> JOB_INTAKE = Setting.text(
                    "SDFLEET_JOB_INTAKE",
                    "how jobs are taken: `group` (a consumer group: lag for KEDA, micro-batches, priority lanes, at most"
                            + " one worker per partition) or `share` (a share group: more workers than partitions, one"
                            + " job at a time; worker README)")
            .withDefault(INTAKE_GROUP)
            .check("`group` or `share`", v -> v.equals(INTAKE_GROUP) || v.equals(INTAKE_SHARE));
    public static final Setting<Duration> SHARE_LOCK = Setting.millis(
                    "SDFLEET_SHARE_LOCK_MS",
                    "with `share`: the share group's record lock, set at start; must outlast the longest job (at most"
                            + " the broker's `group.share.max.record.lock.duration.ms`)")
            .unsetMeans("the group's own");

    /** Read by the log configuration itself (log4j2.xml); declared for validation and the README. */
    public static final Setting<String> LOG_FORMAT = LogSettings.FORMAT;

    /** Every setting of the worker, in the order they are resolved and logged. */
    public static final SettingSet SETTINGS = SettingSet.of(
            KAFKA_BOOTSTRAP,
            KAFKA_GROUP,
            TOPIC_PREFIX,
            WORKER_ID,
            KAFKA_PROPERTIES_FILE,
            KAFKA_PROPERTIES,
            S3_ENDPOINT,
            S3_REGION,
            S3_BUCKET,
            S3_PREFIX,
            S3_ACCESS_KEY,
            S3_SECRET_KEY,
            S3_PATH_STYLE,
            MODEL,
            MODEL_ID,
            MODEL_CACHE,
            PROVIDERS,
            THREADS,
            TRT_CACHE,
            GRAPH_CACHE,
            BATCH_SIZE,
            MAX_IMAGES_PER_CALL,
            SPLIT_GUIDANCE,
            SHRINK_ARENAS,
            ORT_OPTIONS,
            BATCH_WAIT,
            QUEUE_CAPACITY,
            DRAIN_TIMEOUT,
            PROGRESS_THROTTLE,
            CANCEL_LOOKBACK,
            HTTP_PORT,
            RETRY_BACKOFF,
            RETRY_MAX_BACKOFF,
            S3_RETRY_WINDOW,
            STALL_TIMEOUT,
            CRASH_QUARANTINE,
            JOB_INTAKE,
            SHARE_LOCK,
            LOG_FORMAT);

    private final SettingValues values;
    private final S3Settings s3;
    private final RetryPolicy retry;

    private WorkerConfig(SettingValues values) {
        this.values = values;
        this.s3 = new S3Settings(
                values.get(S3_ENDPOINT),
                values.get(S3_REGION),
                values.get(S3_BUCKET),
                values.get(S3_PREFIX),
                values.get(S3_ACCESS_KEY),
                values.get(S3_SECRET_KEY),
                values.get(S3_PATH_STYLE));
        this.retry = new RetryPolicy(values.get(RETRY_BACKOFF), values.get(RETRY_MAX_BACKOFF));
    }

    /**
     * Reads the {@code SDFLEET_*} variables of {@code env}; unset (or blank) ones keep their defaults.
     *
     * @throws IllegalArgumentException naming the variable that is wrong
     */
    public static WorkerConfig fromEnv(Map<String, String> env) {
        return new WorkerConfig(SETTINGS.fromEnv(env));
    }

    /**
     * The {@code SDFLEET_*} variables that {@link #fromEnv(Map)} turns back into this config: how a worker is started
     * in a child process (the hard-kill test and trials, the local fleet's benchmarks).
     */
    public Map<String, String> toEnv() {
        return SETTINGS.toEnv(values);
    }

    public static Builder builder() {
        return new Builder(Map.of());
    }

    /** The same settings as a builder, to change a few (tests start several workers from one config). */
    public Builder toBuilder() {
        return new Builder(SETTINGS.explicit(values));
    }

    /** The value of one setting. */
    public <T> T get(Setting<T> setting) {
        return values.get(setting);
    }

    public String kafkaBootstrap() {
        return values.get(KAFKA_BOOTSTRAP);
    }

    public String groupId() {
        return values.get(KAFKA_GROUP);
    }

    public String topicPrefix() {
        return values.get(TOPIC_PREFIX);
    }

    /** The fleet's topics under {@link #topicPrefix()}. */
    /** The fleet's topics as this worker sees them: {@code jobs()} is its model's jobs topic ({@code <prefix>jobs.<model id>}). */
    public Topics topics() {
        return Topics.withPrefix(topicPrefix()).forModel(modelId());
    }

    /**
     * The jobs topics this worker reads, highest priority first: its model's lanes ({@code Topics.jobLanesFor}); the
     * normal one is {@code topics().jobs()}.
     */
    public List<String> jobLanes() {
        return Topics.withPrefix(topicPrefix()).jobLanesFor(modelId());
    }

    public String workerId() {
        return values.get(WORKER_ID);
    }

    /**
     * The properties for every Kafka client: {@code SDFLEET_KAFKA_PROPERTIES_FILE}'s (read now), then the inline
     * ones.
     */
    public Map<String, String> kafkaProperties() {
        return KafkaClientProperties.of(values);
    }

    /** The image bucket and how to reach it. */
    public S3Settings s3() {
        return s3;
    }

    public String model() {
        return values.get(MODEL);
    }

    public String modelId() {
        return values.get(MODEL_ID);
    }

    public Path modelCache() {
        return values.get(MODEL_CACHE);
    }

    public List<ExecutionProvider> providers() {
        return values.get(PROVIDERS);
    }

    public int threads() {
        return values.get(THREADS);
    }

    /** The TensorRT cache folder, or null. */
    public Path trtCache() {
        return values.get(TRT_CACHE);
    }

    public int batchSize() {
        return values.get(BATCH_SIZE);
    }

    public Duration batchWait() {
        return values.get(BATCH_WAIT);
    }

    public int queueCapacity() {
        return values.get(QUEUE_CAPACITY);
    }

    public Duration drainTimeout() {
        return values.get(DRAIN_TIMEOUT);
    }

    public Duration progressThrottle() {
        return values.get(PROGRESS_THROTTLE);
    }

    public Duration cancelLookback() {
        return values.get(CANCEL_LOOKBACK);
    }

    public int httpPort() {
        return values.get(HTTP_PORT);
    }

    /** Backoff for S3 uploads and result sends. */
    public RetryPolicy retry() {
        return retry;
    }

    /** How long a finished image waits for S3 before its job fails with {@code STORAGE_UNAVAILABLE}. */
    public Duration s3RetryWindow() {
        return values.get(S3_RETRY_WINDOW);
    }

    /** How long a pipeline call may go without a step before the worker reports itself not alive. */
    public Duration stallTimeout() {
        return values.get(STALL_TIMEOUT);
    }

    /** How many runs of a job may end with the worker process dead before the job is failed unrun. */
    public int crashQuarantine() {
        return values.get(CRASH_QUARANTINE);
    }

    /** Whether jobs come from a share group rather than a consumer group. */
    public boolean sharedIntake() {
        return INTAKE_SHARE.equals(values.get(JOB_INTAKE));
    }

    /** The share group's record lock to set at start, or null to leave the group's. */
    public Duration shareLock() {
        return values.get(SHARE_LOCK);
    }

    /** ONNX Runtime settings for the pipeline, TensorRT profiles for 512x512 (SD 1.5's size). */
    public RuntimeSettings runtimeSettings() {
        return runtimeSettings(new RuntimeSettings.ImageSize(512, 512));
    }

    /**
     * ONNX Runtime settings for the pipeline: TensorRT profiles sized for this worker's batch and for {@code size} (the
     * model's native size, which the warm-up runs at), so that the engines built at load time serve the warm-up.
     */
    public RuntimeSettings runtimeSettings(RuntimeSettings.ImageSize size) {
        RuntimeSettings.TensorRtSettings trt = RuntimeSettings.TensorRtSettings.defaults();
        Path trtCache = trtCache();
        trt = new RuntimeSettings.TensorRtSettings(
                trt.fp16(),
                trtCache == null ? null : trtCache.resolve("engines"),
                trtCache == null ? null : trtCache.resolve("timing"),
                trt.builderOptimizationLevel(),
                List.of(size));
        return new RuntimeSettings(
                providers(),
                new RuntimeSettings.CpuSettings(threads(), 0, values.get(ORT_OPTIONS), values.get(GRAPH_CACHE)),
                RuntimeSettings.CudaSettings.defaults(),
                trt,
                values.get(MAX_IMAGES_PER_CALL),
                values.get(SPLIT_GUIDANCE),
                values.get(SHRINK_ARENAS));
    }

    /** hostname-pid, made into a legal id. */
    static String defaultWorkerId() {
        // HOSTNAME first: it is the pod name in Kubernetes, and asking the resolver can hang where DNS is broken.
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "worker";
            }
        }
        String id = (host + "-" + ProcessHandle.current().pid())
                .replaceAll("[^A-Za-z0-9._-]", "-")
                .replaceAll("^[^A-Za-z0-9]+", "");
        return id.isEmpty() ? "worker-" + ProcessHandle.current().pid() : id.substring(0, Math.min(128, id.length()));
    }

    private static boolean legalTopicPrefix(String prefix) {
        try {
            Topics.withPrefix(prefix);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** For the start-up log line: every setting by its variable, secrets masked. */
    @Override
    public String toString() {
        return "WorkerConfig[" + SETTINGS.describe(values) + "]";
    }

    /** Settings to change from their defaults; {@link #build()} fills in the rest and validates. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private Builder(Map<Setting<?>, Object> changed) {
            super(changed);
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder kafkaBootstrap(String v) {
            return set(KAFKA_BOOTSTRAP, v);
        }

        public Builder groupId(String v) {
            return set(KAFKA_GROUP, v);
        }

        public Builder topicPrefix(String v) {
            return set(TOPIC_PREFIX, v);
        }

        public Builder workerId(String v) {
            return set(WORKER_ID, v);
        }

        public Builder kafkaProperties(Map<String, String> v) {
            return set(KAFKA_PROPERTIES, v == null ? null : Map.copyOf(v));
        }

        public Builder kafkaPropertiesFile(Path v) {
            return set(KAFKA_PROPERTIES_FILE, v);
        }

        public Builder s3Endpoint(URI v) {
            return set(S3_ENDPOINT, v);
        }

        public Builder s3Region(String v) {
            return set(S3_REGION, v);
        }

        public Builder s3Bucket(String v) {
            return set(S3_BUCKET, v);
        }

        public Builder s3Prefix(String v) {
            return set(S3_PREFIX, v);
        }

        public Builder s3AccessKey(String v) {
            return set(S3_ACCESS_KEY, v);
        }

        public Builder s3SecretKey(String v) {
            return set(S3_SECRET_KEY, v);
        }

        public Builder s3PathStyle(boolean v) {
            return set(S3_PATH_STYLE, v);
        }

        public Builder model(String v) {
            return set(MODEL, v);
        }

        public Builder modelId(String v) {
            return set(MODEL_ID, v);
        }

        public Builder modelCache(Path v) {
            return set(MODEL_CACHE, v);
        }

        public Builder providers(List<ExecutionProvider> v) {
            return set(PROVIDERS, v == null ? null : List.copyOf(v));
        }

        public Builder threads(int v) {
            return set(THREADS, v);
        }

        public Builder trtCache(Path v) {
            return set(TRT_CACHE, v);
        }

        public Builder batchSize(int v) {
            return set(BATCH_SIZE, v);
        }

        public Builder batchWait(Duration v) {
            return set(BATCH_WAIT, v);
        }

        public Builder queueCapacity(int v) {
            return set(QUEUE_CAPACITY, v);
        }

        public Builder drainTimeout(Duration v) {
            return set(DRAIN_TIMEOUT, v);
        }

        public Builder progressThrottle(Duration v) {
            return set(PROGRESS_THROTTLE, v);
        }

        public Builder cancelLookback(Duration v) {
            return set(CANCEL_LOOKBACK, v);
        }

        public Builder httpPort(int v) {
            return set(HTTP_PORT, v);
        }

        public Builder retryBackoff(Duration v) {
            return set(RETRY_BACKOFF, v);
        }

        public Builder retryMaxBackoff(Duration v) {
            return set(RETRY_MAX_BACKOFF, v);
        }

        public Builder s3RetryWindow(Duration v) {
            return set(S3_RETRY_WINDOW, v);
        }

        public Builder stallTimeout(Duration v) {
            return set(STALL_TIMEOUT, v);
        }

        public Builder crashQuarantine(int v) {
            return set(CRASH_QUARANTINE, v);
        }

        public Builder jobIntake(String v) {
            return set(JOB_INTAKE, v);
        }

        public Builder shareLock(Duration v) {
            return set(SHARE_LOCK, v);
        }

        /**
         * @throws IllegalArgumentException naming the variable of a setting that is wrong
         */
        public WorkerConfig build() {
            return new WorkerConfig(SETTINGS.resolve(changed()));
        }
    }
}
