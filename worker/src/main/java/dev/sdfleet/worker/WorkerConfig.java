package dev.sdfleet.worker;

import dev.sdfleet.pipeline.PipelineRequest;
import dev.sdfleet.pipeline.runtime.ExecutionProvider;
import dev.sdfleet.pipeline.runtime.RuntimeSettings;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.model.ModelSource;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything a worker is told, validated up front. {@link #fromEnv(Map)} reads the {@code SDFLEET_*} environment
 * variables (each documented on its builder method, defaults in {@link Builder}); {@link #toString()} is what the
 * worker logs at start and leaves secrets out.
 *
 * @param kafkaBootstrap {@code bootstrap.servers}
 * @param groupId the workers' consumer group
 * @param topicPrefix the fleet's topic prefix (see {@link Topics#withPrefix(String)})
 * @param workerId this worker's id in results, logs, client ids and metrics
 * @param kafkaProperties extra properties for every Kafka client (security, timeouts)
 * @param s3 the image bucket
 * @param model a local model folder or {@code s3://bucket/prefix}
 * @param modelId the model name jobs must ask for
 * @param modelCache where S3 models are downloaded to
 * @param providers ONNX Runtime execution providers, in preference order
 * @param threads ONNX Runtime intra-op threads (0: ORT's default)
 * @param trtCache TensorRT engine and timing cache folder, or null
 * @param batchSize the most jobs per pipeline call
 * @param batchWait how long to wait for more compatible jobs once one is taken (batch size above 1 only)
 * @param queueCapacity jobs in flight (queued, running, uploading) before the partitions are paused
 * @param drainTimeout how long a shutdown waits for the running job before releasing it
 * @param progressThrottle the least time between two progress events of a job
 * @param cancelLookback how far back the cancel listener starts reading
 * @param httpPort the metrics and health port (0: any free port)
 * @param retry backoff for S3 uploads and result sends
 */
public record WorkerConfig(
        String kafkaBootstrap,
        String groupId,
        String topicPrefix,
        String workerId,
        Map<String, String> kafkaProperties,
        S3Settings s3,
        String model,
        String modelId,
        Path modelCache,
        List<ExecutionProvider> providers,
        int threads,
        Path trtCache,
        int batchSize,
        Duration batchWait,
        int queueCapacity,
        Duration drainTimeout,
        Duration progressThrottle,
        Duration cancelLookback,
        int httpPort,
        RetryPolicy retry) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|secret|jaas|token|credential).*");

    public WorkerConfig {
        requireText("kafka bootstrap (SDFLEET_KAFKA_BOOTSTRAP)", kafkaBootstrap);
        requireText("group id (SDFLEET_KAFKA_GROUP)", groupId);
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Topics.withPrefix(topicPrefix); // throws for a prefix that makes illegal topic names
        if (workerId == null || !IDENTIFIER.matcher(workerId).matches()) {
            throw new IllegalArgumentException("worker id (SDFLEET_WORKER_ID) must be 1..128 letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit, got " + workerId);
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
        Objects.requireNonNull(s3, "s3");
        requireText("model (SDFLEET_MODEL)", model);
        requireText("model id (SDFLEET_MODEL_ID)", modelId);
        Objects.requireNonNull(modelCache, "modelCache");
        providers = List.copyOf(providers);
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("at least one execution provider is needed (SDFLEET_PROVIDERS)");
        }
        atLeast("threads (SDFLEET_THREADS)", threads, 0);
        atLeast("batch size (SDFLEET_BATCH_SIZE)", batchSize, 1);
        if (batchSize > PipelineRequest.MAX_PROMPTS) {
            throw new IllegalArgumentException("batch size (SDFLEET_BATCH_SIZE) must be at most "
                    + PipelineRequest.MAX_PROMPTS + " (prompts per pipeline call), got "
                    + batchSize);
        }
        atLeast("queue capacity (SDFLEET_QUEUE_CAPACITY)", queueCapacity, batchSize);
        notNegative("batch wait (SDFLEET_BATCH_WAIT_MS)", batchWait);
        notNegative("drain timeout (SDFLEET_DRAIN_TIMEOUT_MS)", drainTimeout);
        notNegative("progress throttle (SDFLEET_PROGRESS_THROTTLE_MS)", progressThrottle);
        notNegative("cancel lookback (SDFLEET_CANCEL_LOOKBACK_MS)", cancelLookback);
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("http port (SDFLEET_HTTP_PORT) must be 0..65535, got " + httpPort);
        }
        Objects.requireNonNull(retry, "retry");
    }

    /** The fleet's topics under {@link #topicPrefix()}. */
    public Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    /** ONNX Runtime settings for the pipeline: TensorRT profiles sized for this worker's batch. */
    public RuntimeSettings runtimeSettings() {
        RuntimeSettings.TensorRtSettings trt = RuntimeSettings.TensorRtSettings.defaults();
        trt = new RuntimeSettings.TensorRtSettings(
                trt.fp16(),
                trtCache == null ? null : trtCache.resolve("engines"),
                trtCache == null ? null : trtCache.resolve("timing"),
                trt.builderOptimizationLevel(),
                trt.imageSizes(),
                batchSize);
        return new RuntimeSettings(
                providers, new RuntimeSettings.CpuSettings(threads, 0), RuntimeSettings.CudaSettings.defaults(), trt);
    }

    /** The same settings as a builder, to change a few (tests start several workers from one config). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the {@code SDFLEET_*} variables of {@code env}; unset ones keep their defaults.
     *
     * @throws IllegalArgumentException naming the variable that is wrong
     */
    public static WorkerConfig fromEnv(Map<String, String> env) {
        Builder b = builder();
        Reader r = new Reader(env);
        r.text("SDFLEET_KAFKA_BOOTSTRAP", b::kafkaBootstrap);
        r.text("SDFLEET_KAFKA_GROUP", b::groupId);
        r.text("SDFLEET_TOPIC_PREFIX", b::topicPrefix);
        r.text("SDFLEET_WORKER_ID", b::workerId);
        r.parsed("SDFLEET_KAFKA_PROPERTIES", WorkerConfig::parseProperties, b::kafkaProperties);
        r.parsed("SDFLEET_S3_ENDPOINT", URI::create, b::s3Endpoint);
        r.text("SDFLEET_S3_REGION", b::s3Region);
        r.text("SDFLEET_S3_BUCKET", b::s3Bucket);
        r.text("SDFLEET_S3_PREFIX", b::s3Prefix);
        r.text("SDFLEET_S3_ACCESS_KEY", b::s3AccessKey);
        r.text("SDFLEET_S3_SECRET_KEY", b::s3SecretKey);
        r.parsed("SDFLEET_S3_PATH_STYLE", WorkerConfig::parseBoolean, b::s3PathStyle);
        r.text("SDFLEET_MODEL", b::model);
        r.text("SDFLEET_MODEL_ID", b::modelId);
        r.parsed("SDFLEET_MODEL_CACHE", Path::of, b::modelCache);
        r.parsed("SDFLEET_PROVIDERS", ExecutionProvider::parseList, b::providers);
        r.parsed("SDFLEET_THREADS", Integer::parseInt, b::threads);
        r.parsed("SDFLEET_TRT_CACHE", Path::of, b::trtCache);
        r.parsed("SDFLEET_BATCH_SIZE", Integer::parseInt, b::batchSize);
        r.parsed("SDFLEET_BATCH_WAIT_MS", WorkerConfig::millis, b::batchWait);
        r.parsed("SDFLEET_QUEUE_CAPACITY", Integer::parseInt, b::queueCapacity);
        r.parsed("SDFLEET_DRAIN_TIMEOUT_MS", WorkerConfig::millis, b::drainTimeout);
        r.parsed("SDFLEET_PROGRESS_THROTTLE_MS", WorkerConfig::millis, b::progressThrottle);
        r.parsed("SDFLEET_CANCEL_LOOKBACK_MS", WorkerConfig::millis, b::cancelLookback);
        r.parsed("SDFLEET_HTTP_PORT", Integer::parseInt, b::httpPort);
        r.parsed("SDFLEET_MAX_RETRIES", Integer::parseInt, b::maxRetries);
        r.parsed("SDFLEET_RETRY_BACKOFF_MS", WorkerConfig::millis, b::retryBackoff);
        r.parsed("SDFLEET_RETRY_MAX_BACKOFF_MS", WorkerConfig::millis, b::retryMaxBackoff);
        return b.build();
    }

    /**
     * The {@code SDFLEET_*} variables that {@link #fromEnv(Map)} turns back into this config: how a worker is started
     * in a child process (the hard-kill test and trials, the local fleet's benchmarks).
     */
    public Map<String, String> toEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SDFLEET_KAFKA_BOOTSTRAP", kafkaBootstrap);
        env.put("SDFLEET_KAFKA_GROUP", groupId);
        env.put("SDFLEET_TOPIC_PREFIX", topicPrefix);
        env.put("SDFLEET_WORKER_ID", workerId);
        StringBuilder properties = new StringBuilder();
        kafkaProperties.forEach((k, v) -> properties
                .append(properties.isEmpty() ? "" : ",")
                .append(k)
                .append('=')
                .append(v));
        putIfSet(env, "SDFLEET_KAFKA_PROPERTIES", properties.toString());
        putIfSet(
                env,
                "SDFLEET_S3_ENDPOINT",
                s3.endpoint() == null ? null : s3.endpoint().toString());
        env.put("SDFLEET_S3_REGION", s3.region());
        env.put("SDFLEET_S3_BUCKET", s3.bucket());
        env.put("SDFLEET_S3_PREFIX", s3.prefix());
        putIfSet(env, "SDFLEET_S3_ACCESS_KEY", s3.accessKey());
        putIfSet(env, "SDFLEET_S3_SECRET_KEY", s3.secretKey());
        env.put("SDFLEET_S3_PATH_STYLE", Boolean.toString(s3.pathStyle()));
        env.put("SDFLEET_MODEL", model);
        env.put("SDFLEET_MODEL_ID", modelId);
        env.put("SDFLEET_MODEL_CACHE", modelCache.toString());
        env.put(
                "SDFLEET_PROVIDERS",
                String.join(",", providers.stream().map(ExecutionProvider::id).toList()));
        env.put("SDFLEET_THREADS", Integer.toString(threads));
        putIfSet(env, "SDFLEET_TRT_CACHE", trtCache == null ? null : trtCache.toString());
        env.put("SDFLEET_BATCH_SIZE", Integer.toString(batchSize));
        env.put("SDFLEET_BATCH_WAIT_MS", Long.toString(batchWait.toMillis()));
        env.put("SDFLEET_QUEUE_CAPACITY", Integer.toString(queueCapacity));
        env.put("SDFLEET_DRAIN_TIMEOUT_MS", Long.toString(drainTimeout.toMillis()));
        env.put("SDFLEET_PROGRESS_THROTTLE_MS", Long.toString(progressThrottle.toMillis()));
        env.put("SDFLEET_CANCEL_LOOKBACK_MS", Long.toString(cancelLookback.toMillis()));
        env.put("SDFLEET_HTTP_PORT", Integer.toString(httpPort));
        env.put("SDFLEET_MAX_RETRIES", Integer.toString(retry.maxRetries()));
        env.put("SDFLEET_RETRY_BACKOFF_MS", Long.toString(retry.initialBackoff().toMillis()));
        env.put("SDFLEET_RETRY_MAX_BACKOFF_MS", Long.toString(retry.maxBackoff().toMillis()));
        return env;
    }

    private static void putIfSet(Map<String, String> env, String name, String value) {
        if (value != null && !value.isEmpty()) {
            env.put(name, value);
        }
    }

    /** {@code "a=1,b=2"} as a map; values may contain '=' but not ','. */
    static Map<String, String> parseProperties(String text) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got \"" + pair.trim() + "\"");
            }
            properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return properties;
    }

    static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got \"" + text + "\"");
        };
    }

    static Duration millis(String text) {
        return Duration.ofMillis(Long.parseLong(text.trim()));
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

    private static void requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
    }

    private static void atLeast(String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
        }
    }

    private static void notNegative(String what, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
    }

    /** For the start-up log line: every setting, with secrets masked. */
    @Override
    public String toString() {
        Map<String, String> shownProperties = new LinkedHashMap<>();
        kafkaProperties.forEach(
                (k, v) -> shownProperties.put(k, SECRET_KEY.matcher(k).matches() ? "***" : v));
        return "WorkerConfig[workerId=" + workerId + ", kafka=" + kafkaBootstrap + ", group=" + groupId
                + ", topicPrefix=" + topicPrefix + ", kafkaProperties=" + shownProperties + ", s3=" + s3
                + ", model=" + model + ", modelId=" + modelId + ", modelCache=" + modelCache + ", providers="
                + providers.stream().map(ExecutionProvider::id).toList() + ", threads=" + threads + ", trtCache="
                + trtCache + ", batchSize=" + batchSize + ", batchWait=" + batchWait.toMillis() + "ms"
                + ", queueCapacity=" + queueCapacity + ", drainTimeout=" + drainTimeout.toMillis() + "ms"
                + ", progressThrottle=" + progressThrottle.toMillis() + "ms, cancelLookback="
                + cancelLookback.toMillis() + "ms, httpPort=" + httpPort + ", retry=" + retry + "]";
    }

    /** Reads one variable at a time and names it in any error. */
    private record Reader(Map<String, String> env) {
        void text(String name, Consumer<String> setter) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                setter.accept(value.trim());
            }
        }

        <T> void parsed(String name, Function<String, T> parser, Consumer<T> setter) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                return;
            }
            T parsed;
            try {
                parsed = parser.apply(value.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + "=" + value + ": " + e.getMessage(), e);
            }
            setter.accept(parsed);
        }
    }

    /** Settings with defaults; {@link #build()} validates. */
    public static final class Builder {
        private String kafkaBootstrap = "localhost:9092";
        private String groupId = "sdfleet-workers";
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String workerId;
        private Map<String, String> kafkaProperties = Map.of();
        private URI s3Endpoint;
        private String s3Region = "us-east-1";
        private String s3Bucket = "sdfleet";
        private String s3Prefix = "images";
        private String s3AccessKey;
        private String s3SecretKey;
        private Boolean s3PathStyle;
        private String model = "models/tiny-sd";
        private String modelId;
        private Path modelCache = Path.of(System.getProperty("user.home"), ".cache", "sdfleet", "models");
        private List<ExecutionProvider> providers = List.of(ExecutionProvider.CPU);
        private int threads;
        private Path trtCache;
        private int batchSize = 1;
        private Duration batchWait = Duration.ofMillis(50);
        private Integer queueCapacity;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Duration progressThrottle = Duration.ofMillis(250);
        private Duration cancelLookback = Duration.ofMinutes(15);
        private int httpPort = 8080;
        private int maxRetries = 8;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration retryMaxBackoff = Duration.ofSeconds(10);

        private Builder() {}

        private Builder(WorkerConfig c) {
            kafkaBootstrap = c.kafkaBootstrap;
            groupId = c.groupId;
            topicPrefix = c.topicPrefix;
            workerId = c.workerId;
            kafkaProperties = c.kafkaProperties;
            s3Endpoint = c.s3.endpoint();
            s3Region = c.s3.region();
            s3Bucket = c.s3.bucket();
            s3Prefix = c.s3.prefix();
            s3AccessKey = c.s3.accessKey();
            s3SecretKey = c.s3.secretKey();
            s3PathStyle = c.s3.pathStyle();
            model = c.model;
            // Derived settings stay derived, so that changing the model or the batch size changes them too.
            modelId = c.modelId.equals(ModelSource.idOf(c.model)) ? null : c.modelId;
            modelCache = c.modelCache;
            providers = c.providers;
            threads = c.threads;
            trtCache = c.trtCache;
            batchSize = c.batchSize;
            batchWait = c.batchWait;
            queueCapacity = c.queueCapacity == 2 * c.batchSize ? null : c.queueCapacity;
            drainTimeout = c.drainTimeout;
            progressThrottle = c.progressThrottle;
            cancelLookback = c.cancelLookback;
            httpPort = c.httpPort;
            maxRetries = c.retry.maxRetries();
            retryBackoff = c.retry.initialBackoff();
            retryMaxBackoff = c.retry.maxBackoff();
        }

        /** SDFLEET_KAFKA_BOOTSTRAP, default {@code localhost:9092}. */
        public Builder kafkaBootstrap(String v) {
            kafkaBootstrap = v;
            return this;
        }
        /** SDFLEET_KAFKA_GROUP, default {@code sdfleet-workers}. */
        public Builder groupId(String v) {
            groupId = v;
            return this;
        }
        /** SDFLEET_TOPIC_PREFIX, default {@code sdfleet.}. */
        public Builder topicPrefix(String v) {
            topicPrefix = v;
            return this;
        }
        /** SDFLEET_WORKER_ID, default {@code <hostname>-<pid>}. */
        public Builder workerId(String v) {
            workerId = v;
            return this;
        }
        /** SDFLEET_KAFKA_PROPERTIES, {@code key=value,...} for every client; default none. */
        public Builder kafkaProperties(Map<String, String> v) {
            kafkaProperties = v;
            return this;
        }
        /** SDFLEET_S3_ENDPOINT, default none (AWS). */
        public Builder s3Endpoint(URI v) {
            s3Endpoint = v;
            return this;
        }
        /** SDFLEET_S3_REGION, default {@code us-east-1}. */
        public Builder s3Region(String v) {
            s3Region = v;
            return this;
        }
        /** SDFLEET_S3_BUCKET, default {@code sdfleet}. */
        public Builder s3Bucket(String v) {
            s3Bucket = v;
            return this;
        }
        /** SDFLEET_S3_PREFIX, default {@code images}. */
        public Builder s3Prefix(String v) {
            s3Prefix = v;
            return this;
        }
        /** SDFLEET_S3_ACCESS_KEY, default none (the AWS default credentials chain). */
        public Builder s3AccessKey(String v) {
            s3AccessKey = v;
            return this;
        }
        /** SDFLEET_S3_SECRET_KEY, default none. */
        public Builder s3SecretKey(String v) {
            s3SecretKey = v;
            return this;
        }
        /** SDFLEET_S3_PATH_STYLE, default true with a custom endpoint, false for AWS. */
        public Builder s3PathStyle(boolean v) {
            s3PathStyle = v;
            return this;
        }
        /** SDFLEET_MODEL: a folder or {@code s3://bucket/prefix}; default {@code models/tiny-sd}. */
        public Builder model(String v) {
            model = v;
            return this;
        }
        /** SDFLEET_MODEL_ID, default the model folder's (or prefix's) last name. */
        public Builder modelId(String v) {
            modelId = v;
            return this;
        }
        /** SDFLEET_MODEL_CACHE, default {@code ~/.cache/sdfleet/models}. */
        public Builder modelCache(Path v) {
            modelCache = v;
            return this;
        }
        /** SDFLEET_PROVIDERS, e.g. {@code tensorrt,cuda,cpu}; default {@code cpu}. */
        public Builder providers(List<ExecutionProvider> v) {
            providers = v;
            return this;
        }
        /** SDFLEET_THREADS, default 0 (ORT decides). */
        public Builder threads(int v) {
            threads = v;
            return this;
        }
        /** SDFLEET_TRT_CACHE, default none. */
        public Builder trtCache(Path v) {
            trtCache = v;
            return this;
        }
        /** SDFLEET_BATCH_SIZE, default 1. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }
        /** SDFLEET_BATCH_WAIT_MS, default 50. */
        public Builder batchWait(Duration v) {
            batchWait = v;
            return this;
        }
        /** SDFLEET_QUEUE_CAPACITY, default twice the batch size (one batch running, one ready). */
        public Builder queueCapacity(int v) {
            queueCapacity = v;
            return this;
        }
        /** SDFLEET_DRAIN_TIMEOUT_MS, default 30000. */
        public Builder drainTimeout(Duration v) {
            drainTimeout = v;
            return this;
        }
        /** SDFLEET_PROGRESS_THROTTLE_MS, default 250. */
        public Builder progressThrottle(Duration v) {
            progressThrottle = v;
            return this;
        }
        /** SDFLEET_CANCEL_LOOKBACK_MS, default 15 minutes. */
        public Builder cancelLookback(Duration v) {
            cancelLookback = v;
            return this;
        }
        /** SDFLEET_HTTP_PORT, default 8080; 0 picks a free port. */
        public Builder httpPort(int v) {
            httpPort = v;
            return this;
        }
        /** SDFLEET_MAX_RETRIES, default 8. */
        public Builder maxRetries(int v) {
            maxRetries = v;
            return this;
        }
        /** SDFLEET_RETRY_BACKOFF_MS, default 200. */
        public Builder retryBackoff(Duration v) {
            retryBackoff = v;
            return this;
        }
        /** SDFLEET_RETRY_MAX_BACKOFF_MS, default 10000. */
        public Builder retryMaxBackoff(Duration v) {
            retryMaxBackoff = v;
            return this;
        }

        public WorkerConfig build() {
            S3Settings s3 = new S3Settings(
                    s3Endpoint,
                    s3Region,
                    s3Bucket,
                    s3Prefix,
                    s3AccessKey,
                    s3SecretKey,
                    s3PathStyle != null ? s3PathStyle : s3Endpoint != null);
            return new WorkerConfig(
                    kafkaBootstrap,
                    groupId,
                    topicPrefix,
                    workerId != null ? workerId : defaultWorkerId(),
                    kafkaProperties,
                    s3,
                    model,
                    modelId != null ? modelId : ModelSource.idOf(model),
                    modelCache,
                    providers,
                    threads,
                    trtCache,
                    batchSize,
                    batchWait,
                    queueCapacity != null ? queueCapacity : 2 * batchSize,
                    drainTimeout,
                    progressThrottle,
                    cancelLookback,
                    httpPort,
                    new RetryPolicy(maxRetries, retryBackoff, retryMaxBackoff));
        }
    }
}
