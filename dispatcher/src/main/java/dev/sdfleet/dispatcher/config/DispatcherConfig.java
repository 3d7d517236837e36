package dev.sdfleet.dispatcher.config;

import dev.sdfleet.protocol.Topics;
import dev.sdfleet.service.KafkaClientProperties;
import dev.sdfleet.service.LogSettings;
import dev.sdfleet.service.S3ClientSettings;
import dev.sdfleet.service.Setting;
import dev.sdfleet.service.SettingSet;
import dev.sdfleet.service.SettingValues;
import dev.sdfleet.service.SettingsBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything a dispatcher is told, checked up front. Each setting is declared once below (its {@code SDFLEET_*}
 * variable, default, bounds and meaning; a few are set only in code); {@link #SETTINGS} derives from them reading
 * the environment ({@link #fromEnv}), the start-up log line that names no key or secret ({@link #toString}) and the
 * table in dispatcher/README.md.
 */
public final class DispatcherConfig {
    private static final Set<String> WEBHOOK_RANGES = Set.of("loopback", "private", "link_local");

    public static final Setting<String> KAFKA_BOOTSTRAP = Setting.text(
                    "SDFLEET_KAFKA_BOOTSTRAP", "Kafka `bootstrap.servers`")
            .withDefault("127.0.0.1:9092")
            .required();
    public static final Setting<String> TOPIC_PREFIX = Setting.text(
                    "SDFLEET_TOPIC_PREFIX", "the fleet's topic prefix (include the separator)")
            .withDefault(Topics.DEFAULT_PREFIX)
            .check("a prefix of legal topic names", DispatcherConfig::legalTopicPrefix);
    public static final Setting<String> APPLICATION_ID = Setting.text(
                    "SDFLEET_DISPATCHER_APP_ID",
                    "the Kafka Streams application id: instances with the same id share the work")
            .withDefault("sdfleet-dispatcher")
            .required()
            .check("1..200 letters, digits, '.', '_' or '-'", id -> id.matches("[A-Za-z0-9._-]{1,200}"));
    public static final Setting<String> INSTANCE_ID = Setting.text(
                    "SDFLEET_DISPATCHER_ID", "this instance's name in logs, client ids and CloudEvents sources")
            .withDefault(values -> defaultInstanceId(), "`$HOSTNAME` or `dispatcher-1`")
            .required()
            .check("1..128 letters, digits, '.', '_' or '-'", DispatcherConfig::legalInstanceId);
    public static final Setting<Path> STATE_DIR = Setting.path(
                    "SDFLEET_STATE_DIR",
                    "where Kafka Streams keeps its local stores (RocksDB copies of the changelogs); one per instance")
            .withDefault(
                    values -> Path.of(System.getProperty("java.io.tmpdir"), "sdfleet-dispatcher-state"),
                    "`$TMPDIR/sdfleet-dispatcher-state`")
            .required();
    public static final Setting<String> HTTP_HOST = Setting.text("SDFLEET_HTTP_HOST", "the address the API binds to")
            .withDefault("0.0.0.0")
            .required();
    public static final Setting<Integer> HTTP_PORT = Setting.integer(
                    "SDFLEET_HTTP_PORT", "the API port (0: any free one)")
            .withDefault(8080)
            .between(0, 65535);
    public static final Setting<Integer> OPS_PORT = Setting.integer(
                    "SDFLEET_OPS_PORT",
                    "the port of `/metrics`, `/health/live` and `/health/ready` (0: any free one); when set and not"
                            + " the API port, the API port serves none of them")
            .unsetMeans("the API port")
            .between(0, 65535);
    public static final Setting<String> ADVERTISED_HOST = Setting.text(
                    "SDFLEET_ADVERTISED_HOST",
                    "how the other instances reach this one's API (for queries forwarded to the key's owner)")
            .withDefault("127.0.0.1")
            .required();
    public static final Setting<Integer> PARTITIONS = Setting.integer(
                    "SDFLEET_PARTITIONS", "partitions of the input topics the dispatcher creates or grows")
            .withDefault(4)
            .atLeast(1);
    public static final Setting<Integer> STREAM_THREADS = Setting.integer(
                    "SDFLEET_STREAM_THREADS", "Kafka Streams threads")
            .withDefault(1)
            .atLeast(1);
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.millis(
                    "SDFLEET_COMMIT_INTERVAL_MS",
                    "Kafka Streams commit interval (each commit ends an exactly-once transaction)")
            .withDefault(Duration.ofMillis(100))
            .positive();
    public static final Setting<Boolean> STATIC_MEMBERSHIP = Setting.flag(
                    "SDFLEET_STATIC_MEMBERSHIP",
                    "static group membership: `group.instance.id` is `SDFLEET_DISPATCHER_ID` (stable names only, as a"
                            + " StatefulSet's pods), so a restart within the session timeout keeps its partitions"
                            + " without a rebalance, and a stopping instance does not leave the group")
            .withDefault(false);
    public static final Setting<Duration> SESSION_TIMEOUT = Setting.millis(
                    "SDFLEET_SESSION_TIMEOUT_MS",
                    "how long the group waits for a silent instance before its partitions move (with static"
                            + " membership: longer than a restart)")
            .withDefault(Duration.ofSeconds(10))
            .positive();
    public static final Setting<Integer> STANDBY_REPLICAS = Setting.integer(
                    "SDFLEET_STANDBY_REPLICAS",
                    "Kafka Streams `num.standby.replicas`: warm copies of each store on other instances, for a"
                            + " fail-over without restoring from the changelog")
            .withDefault(0)
            .atLeast(0);
    public static final Setting<Duration> TICK = Setting.<Duration>code(
                    "tick", "how often deadlines and due webhooks are looked at")
            .withDefault(Duration.ofMillis(500))
            .positive();
    public static final Setting<Duration> ADMIT_WAIT = Setting.millis(
                    "SDFLEET_ADMIT_WAIT_MS",
                    "how long a POST waits for the request to show in the state store; it answers 202 anyway after"
                            + " this (the request is on the topic)")
            .withDefault(Duration.ofSeconds(5))
            .positive();
    public static final Setting<Duration> RETENTION = Setting.duration(
                    "SDFLEET_RETENTION",
                    "finished requests stay queryable (and idempotent) this long after their last activity (the"
                            + " finish or the last webhook try); ISO-8601")
            .withDefault(values -> Duration.ofDays(2), "`P2D`")
            .positive();
    public static final Setting<Duration> MAX_REQUEST_AGE = Setting.duration(
                    "SDFLEET_MAX_REQUEST_AGE",
                    "an unfinished request with no result for this long (since its acceptance or its last result) is"
                            + " failed with reason STALLED, event and webhook included; ISO-8601")
            .withDefault(values -> Duration.ofHours(1), "`PT1H`")
            .positive();
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer(
                    "SDFLEET_MAX_ATTEMPTS", "how often a job that failed with a retryable error is published in all")
            .withDefault(3)
            .atLeast(1);
    /** SD 1.5 at 512x512, 30 steps in about 0.6 s on a TensorRT A100: 512*512*30/0.6. */
    public static final Setting<Double> PIXEL_STEPS_PER_GPU_SECOND = Setting.decimal(
                    "SDFLEET_GPU_PIXEL_STEPS_PER_S",
                    "the calibrated rate behind queued GPU-seconds: width x height x steps one GPU does per second"
                            + " (SD 1.5, 512², 30 steps in 0.6 s)")
            .withDefault(13_107_200.0)
            .positive();

    /**
     * Room for the inline images a request may carry (init and mask together at most
     * {@link dev.sdfleet.protocol.GenerationRequest#MAX_INLINE_IMAGE_CHARS} base64 characters) and 64 KiB of the rest;
     * anything larger is a 413 before it is parsed.
     */
    public static final Setting<Integer> MAX_BODY_BYTES = Setting.<Integer>code("maxBodyBytes", "the largest POST body")
            .withDefault(dev.sdfleet.protocol.GenerationRequest.MAX_INLINE_IMAGE_CHARS + 64 * 1024)
            .atLeast(1024);

    public static final Setting<Tenants> TENANTS = Setting.of(
                    "SDFLEET_TENANTS",
                    "API keys and webhook secrets: the tenants JSON (see above)",
                    Tenants::parse,
                    null)
            .withDefault(values -> Tenants.none(), "none")
            .secret(Tenants::toString);
    public static final Setting<Tenants> TENANTS_FILE = Setting.of(
                    "SDFLEET_TENANTS_FILE",
                    "the tenants JSON from a file instead (wins over `SDFLEET_TENANTS`)",
                    path -> Tenants.parse(Tenants.readFile(Path.of(path))),
                    null)
            .unsetMeans("none")
            .shownAs(Tenants::toString);
    public static final Setting<ModelCatalogue> MODELS = Setting.of(
                    "SDFLEET_MODELS",
                    "the models this fleet serves: the models JSON (see above); requests for others are refused",
                    ModelCatalogue::parse,
                    null)
            .withDefault(values -> ModelCatalogue.bundled(), "tiny-sd (the bundled model)")
            .shownAs(ModelCatalogue::toString);
    public static final Setting<ModelCatalogue> MODELS_FILE = Setting.of(
                    "SDFLEET_MODELS_FILE",
                    "the models JSON from a file instead (wins over `SDFLEET_MODELS`)",
                    path -> ModelCatalogue.readFile(Path.of(path)),
                    null)
            .unsetMeans("none")
            .shownAs(ModelCatalogue::toString);
    public static final Setting<List<String>> WEBHOOK_ALLOW = Setting.list(
                    "SDFLEET_WEBHOOK_ALLOW",
                    "address ranges webhooks may call besides public ones: `loopback,private,link_local` (the local"
                            + " fleet: `loopback`)",
                    DispatcherConfig::webhookRange,
                    range -> range)
            .withDefault(values -> List.of(), "none");
    public static final Setting<WebhookSettings> WEBHOOKS = Setting.<WebhookSettings>code(
                    "webhooks", "how webhooks are sent (timeouts, backoff, allowed ranges)")
            .withDefault(values -> WebhookSettings.defaults(), "WebhookSettings.defaults()");
    /*
     * S3, for presigning image URLs only: the dispatcher signs GET URLs of the objects the workers stored (bucket and
     * key from each result) and never reads or writes an object itself. Declared once, with the workers'
     * ({@code S3ClientSettings}).
     */
    public static final Setting<URI> S3_ENDPOINT = S3ClientSettings.ENDPOINT;
    public static final Setting<String> S3_REGION = S3ClientSettings.REGION;
    public static final Setting<String> S3_ACCESS_KEY = S3ClientSettings.ACCESS_KEY;
    public static final Setting<String> S3_SECRET_KEY = S3ClientSettings.SECRET_KEY;
    public static final Setting<Boolean> S3_PATH_STYLE = S3ClientSettings.PATH_STYLE;
    public static final Setting<Boolean> PRESIGN_IMAGES = Setting.flag(
                    "SDFLEET_PRESIGN_IMAGES",
                    "give each stored image a presigned GET URL (`download_url`) in GET answers and webhook bodies;"
                            + " off, images carry bucket, key and the raw S3 `url` only")
            .withDefault(
                    values -> values.get(S3_ENDPOINT) != null || values.get(S3_ACCESS_KEY) != null,
                    "true when `SDFLEET_S3_ENDPOINT` or `SDFLEET_S3_ACCESS_KEY` is set");
    public static final Setting<Duration> IMAGE_URL_TTL = Setting.duration(
                    "SDFLEET_IMAGE_URL_TTL",
                    "how long a presigned image URL works: fresh on each GET, fixed in a webhook body when it is"
                            + " built; ISO-8601")
            .withDefault(values -> ImageLinks.DEFAULT_TTL, "`PT1H`")
            .positive()
            .check("at most P7D (SigV4's limit)", ttl -> ttl.compareTo(ImageLinks.MAX_TTL) <= 0);

    /** Shared with the workers and the CLI: one way to secure every Kafka client. */
    public static final Setting<Path> KAFKA_PROPERTIES_FILE = KafkaClientProperties.FILE;

    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = KafkaClientProperties.INLINE;
    /** Read by the log configuration itself (log4j2.xml); declared for validation and the README. */
    public static final Setting<String> LOG_FORMAT = LogSettings.FORMAT;

    /** Every setting of the dispatcher, in the order they are resolved and logged. */
    public static final SettingSet SETTINGS = SettingSet.of(
            KAFKA_BOOTSTRAP,
            TOPIC_PREFIX,
            APPLICATION_ID,
            INSTANCE_ID,
            STATE_DIR,
            HTTP_HOST,
            HTTP_PORT,
            OPS_PORT,
            ADVERTISED_HOST,
            PARTITIONS,
            STREAM_THREADS,
            COMMIT_INTERVAL,
            STATIC_MEMBERSHIP,
            SESSION_TIMEOUT,
            STANDBY_REPLICAS,
            TICK,
            ADMIT_WAIT,
            RETENTION,
            MAX_REQUEST_AGE,
            MAX_ATTEMPTS,
            PIXEL_STEPS_PER_GPU_SECOND,
            MAX_BODY_BYTES,
            TENANTS,
            TENANTS_FILE,
            MODELS,
            MODELS_FILE,
            WEBHOOK_ALLOW,
            WEBHOOKS,
            S3_ENDPOINT,
            S3_REGION,
            S3_ACCESS_KEY,
            S3_SECRET_KEY,
            S3_PATH_STYLE,
            PRESIGN_IMAGES,
            IMAGE_URL_TTL,
            KAFKA_PROPERTIES_FILE,
            KAFKA_PROPERTIES,
            LOG_FORMAT);

    private final SettingValues values;
    private final WebhookSettings webhooks;

    private DispatcherConfig(SettingValues values) {
        this.values = values;
        WebhookSettings w = values.get(WEBHOOKS);
        List<String> allow = values.get(WEBHOOK_ALLOW);
        this.webhooks = new WebhookSettings(
                w.timeout(),
                w.initialBackoff(),
                w.maxBackoff(),
                w.retryFor(),
                w.allowLoopback() || allow.contains("loopback"),
                w.allowPrivate() || allow.contains("private"),
                w.allowLinkLocal() || allow.contains("link_local"));
        if ((values.get(S3_ACCESS_KEY) == null) != (values.get(S3_SECRET_KEY) == null)) {
            throw new IllegalArgumentException(
                    S3_ACCESS_KEY.name() + " and " + S3_SECRET_KEY.name() + " are given together or not at all");
        }
    }

    /**
     * Reads the {@code SDFLEET_*} variables of {@code env}; unset (or blank) ones keep their defaults.
     *
     * @throws IllegalArgumentException naming the variable that is wrong
     */
    public static DispatcherConfig fromEnv(Map<String, String> env) {
        return new DispatcherConfig(SETTINGS.fromEnv(env));
    }

    public static Builder builder(String kafkaBootstrap) {
        return new Builder(Map.of()).set(KAFKA_BOOTSTRAP, kafkaBootstrap);
    }

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

    public String topicPrefix() {
        return values.get(TOPIC_PREFIX);
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix());
    }

    /** The dispatcher's own topic: webhook outcomes and redelivery commands, keyed by request id. */
    public String controlTopic() {
        return topicPrefix() + "dispatcher.control";
    }

    /** The CloudEvents {@code ce_source} of what this instance publishes. */
    public String source() {
        return "/sdfleet/dispatcher/" + instanceId();
    }

    public String applicationId() {
        return values.get(APPLICATION_ID);
    }

    public String instanceId() {
        return values.get(INSTANCE_ID);
    }

    public Path stateDir() {
        return values.get(STATE_DIR);
    }

    public String httpHost() {
        return values.get(HTTP_HOST);
    }

    public int httpPort() {
        return values.get(HTTP_PORT);
    }

    /** The ops port when set apart from the API port (0: any free one); empty: ops endpoints on the API port. */
    public OptionalInt opsPort() {
        Integer ops = values.get(OPS_PORT);
        return ops == null || (ops == httpPort() && ops != 0) ? OptionalInt.empty() : OptionalInt.of(ops);
    }

    public String advertisedHost() {
        return values.get(ADVERTISED_HOST);
    }

    public int partitions() {
        return values.get(PARTITIONS);
    }

    public int streamThreads() {
        return values.get(STREAM_THREADS);
    }

    public Duration commitInterval() {
        return values.get(COMMIT_INTERVAL);
    }

    public boolean staticMembership() {
        return values.get(STATIC_MEMBERSHIP);
    }

    public Duration sessionTimeout() {
        return values.get(SESSION_TIMEOUT);
    }

    public int standbyReplicas() {
        return values.get(STANDBY_REPLICAS);
    }

    public Duration tick() {
        return values.get(TICK);
    }

    public Duration admitWait() {
        return values.get(ADMIT_WAIT);
    }

    public Duration retention() {
        return values.get(RETENTION);
    }

    public Duration maxRequestAge() {
        return values.get(MAX_REQUEST_AGE);
    }

    public int maxAttempts() {
        return values.get(MAX_ATTEMPTS);
    }

    public double pixelStepsPerGpuSecond() {
        return values.get(PIXEL_STEPS_PER_GPU_SECOND);
    }

    public int maxBodyBytes() {
        return values.get(MAX_BODY_BYTES);
    }

    /** API keys and webhook secrets: from {@code SDFLEET_TENANTS_FILE} when set, else {@code SDFLEET_TENANTS}. */
    public Tenants tenants() {
        Tenants fromFile = values.get(TENANTS_FILE);
        return fromFile != null ? fromFile : values.get(TENANTS);
    }

    /** The models this fleet serves: from {@code SDFLEET_MODELS_FILE} when set, else {@code SDFLEET_MODELS}. */
    public ModelCatalogue models() {
        ModelCatalogue fromFile = values.get(MODELS_FILE);
        return fromFile != null ? fromFile : values.get(MODELS);
    }

    /** How webhooks are sent, with the ranges {@code SDFLEET_WEBHOOK_ALLOW} opens. */
    public WebhookSettings webhooks() {
        return webhooks;
    }

    /** How image URLs are presigned, or null when they are not ({@code SDFLEET_PRESIGN_IMAGES} off). */
    public ImageLinks.Signing imageSigning() {
        if (!values.get(PRESIGN_IMAGES)) {
            return null;
        }
        return new ImageLinks.Signing(
                values.get(S3_ENDPOINT),
                values.get(S3_REGION),
                values.get(S3_ACCESS_KEY),
                values.get(S3_SECRET_KEY),
                values.get(S3_PATH_STYLE),
                values.get(IMAGE_URL_TTL));
    }

    /**
     * The properties for every Kafka client (the Streams app, the producer, the admin client):
     * {@code SDFLEET_KAFKA_PROPERTIES_FILE}'s (read now), then the inline ones.
     */
    public Map<String, String> kafkaProperties() {
        return KafkaClientProperties.of(values);
    }

    private static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        return host != null && legalInstanceId(host) ? host : "dispatcher-1";
    }

    private static boolean legalInstanceId(String id) {
        return id.matches("[A-Za-z0-9._-]{1,128}");
    }

    private static boolean legalTopicPrefix(String prefix) {
        try {
            Topics.withPrefix(prefix);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String webhookRange(String item) {
        String range = item.toLowerCase(Locale.ROOT);
        if (!WEBHOOK_RANGES.contains(range)) {
            throw new IllegalArgumentException("loopback, private or link_local, got " + item);
        }
        return range;
    }

    /** For the start-up log line: every setting, no key or secret. */
    @Override
    public String toString() {
        return "DispatcherConfig[" + SETTINGS.describe(values) + "]";
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

        public Builder topicPrefix(String v) {
            return set(TOPIC_PREFIX, v);
        }

        public Builder applicationId(String v) {
            return set(APPLICATION_ID, v);
        }

        public Builder instanceId(String v) {
            return set(INSTANCE_ID, v);
        }

        public Builder stateDir(Path v) {
            return set(STATE_DIR, v);
        }

        public Builder httpHost(String v) {
            return set(HTTP_HOST, v);
        }

        public Builder httpPort(int v) {
            return set(HTTP_PORT, v);
        }

        /** The ops endpoints' own port (0: any free one); null: on the API port. */
        public Builder opsPort(Integer v) {
            return set(OPS_PORT, v);
        }

        public Builder advertisedHost(String v) {
            return set(ADVERTISED_HOST, v);
        }

        public Builder partitions(int v) {
            return set(PARTITIONS, v);
        }

        public Builder streamThreads(int v) {
            return set(STREAM_THREADS, v);
        }

        public Builder commitInterval(Duration v) {
            return set(COMMIT_INTERVAL, v);
        }

        public Builder staticMembership(boolean v) {
            return set(STATIC_MEMBERSHIP, v);
        }

        public Builder sessionTimeout(Duration v) {
            return set(SESSION_TIMEOUT, v);
        }

        public Builder standbyReplicas(int v) {
            return set(STANDBY_REPLICAS, v);
        }

        public Builder tick(Duration v) {
            return set(TICK, v);
        }

        public Builder admitWait(Duration v) {
            return set(ADMIT_WAIT, v);
        }

        public Builder retention(Duration v) {
            return set(RETENTION, v);
        }

        public Builder maxRequestAge(Duration v) {
            return set(MAX_REQUEST_AGE, v);
        }

        public Builder maxAttempts(int v) {
            return set(MAX_ATTEMPTS, v);
        }

        public Builder pixelStepsPerGpuSecond(double v) {
            return set(PIXEL_STEPS_PER_GPU_SECOND, v);
        }

        public Builder maxBodyBytes(int v) {
            return set(MAX_BODY_BYTES, v);
        }

        /** The tenants (replacing any {@code SDFLEET_TENANTS_FILE} this builder came with). */
        public Builder tenants(Tenants v) {
            set(TENANTS_FILE, null);
            return set(TENANTS, v);
        }

        /** The models (replacing any {@code SDFLEET_MODELS_FILE} this builder came with). */
        public Builder models(ModelCatalogue v) {
            set(MODELS_FILE, null);
            return set(MODELS, v);
        }

        public Builder webhooks(WebhookSettings v) {
            return set(WEBHOOKS, v);
        }

        /** Presigns image URLs for this S3 server with a static key (path style). */
        public Builder s3(URI endpoint, String accessKey, String secretKey) {
            set(S3_ENDPOINT, endpoint);
            set(S3_ACCESS_KEY, accessKey);
            return set(S3_SECRET_KEY, secretKey);
        }

        public Builder presignImages(boolean v) {
            return set(PRESIGN_IMAGES, v);
        }

        public Builder imageUrlTtl(Duration v) {
            return set(IMAGE_URL_TTL, v);
        }

        public Builder kafkaProperties(Map<String, String> v) {
            return set(KAFKA_PROPERTIES, v == null ? null : Map.copyOf(v));
        }

        public Builder kafkaPropertiesFile(Path v) {
            return set(KAFKA_PROPERTIES_FILE, v);
        }

        /**
         * @throws IllegalArgumentException naming the setting that is wrong
         */
        public DispatcherConfig build() {
            return new DispatcherConfig(SETTINGS.resolve(changed()));
        }
    }
}
