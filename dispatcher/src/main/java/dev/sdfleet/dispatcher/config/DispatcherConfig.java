package dev.sdfleet.dispatcher.config;

import dev.sdfleet.protocol.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything a dispatcher is told, checked up front. {@link #fromEnv(Map)} reads the {@code SDFLEET_*} variables
 * (listed in dispatcher/README.md); {@link #toString()} is what the dispatcher logs at start and names no key or
 * secret.
 *
 * @param kafkaBootstrap {@code bootstrap.servers}
 * @param topicPrefix the fleet's topic prefix (see {@link Topics#withPrefix(String)})
 * @param applicationId the Kafka Streams application id: instances with the same id share the work
 * @param instanceId this instance's name in logs, client ids and CloudEvents sources
 * @param stateDir where Kafka Streams keeps its local stores (a cache of the changelogs)
 * @param httpHost the address the API binds to
 * @param httpPort the API port (0: a free one)
 * @param advertisedHost how the other instances reach this one's API (for queries forwarded to the key's owner)
 * @param partitions partition count for the input topics the dispatcher creates or grows
 * @param streamThreads Kafka Streams threads
 * @param commitInterval Kafka Streams commit interval (each commit ends an exactly-once transaction)
 * @param tick how often deadlines and due webhooks are looked at
 * @param admitWait how long a POST waits for the request to show in the state store before answering anyway
 * @param retention how long a finished request stays queryable (and its id idempotent)
 * @param maxAttempts how often a job that failed with a retryable error is published in all
 * @param pixelStepsPerGpuSecond the calibrated rate behind queued GPU-seconds: width x height x steps one GPU does per
 *     second
 * @param maxBodyBytes the largest POST body
 * @param tenants API keys and webhook secrets
 * @param webhooks how webhooks are sent
 * @param kafkaProperties extra properties for every Kafka client (security settings, say)
 */
public record DispatcherConfig(
        String kafkaBootstrap,
        String topicPrefix,
        String applicationId,
        String instanceId,
        Path stateDir,
        String httpHost,
        int httpPort,
        String advertisedHost,
        int partitions,
        int streamThreads,
        Duration commitInterval,
        Duration tick,
        Duration admitWait,
        Duration retention,
        int maxAttempts,
        double pixelStepsPerGpuSecond,
        int maxBodyBytes,
        Tenants tenants,
        WebhookSettings webhooks,
        Map<String, String> kafkaProperties) {

    public DispatcherConfig {
        require(kafkaBootstrap != null && !kafkaBootstrap.isBlank(), "kafka bootstrap (SDFLEET_KAFKA_BOOTSTRAP)");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Topics.withPrefix(topicPrefix);
        require(
                applicationId != null && applicationId.matches("[A-Za-z0-9._-]{1,200}"),
                "application id (SDFLEET_DISPATCHER_APP_ID): letters, digits, '.', '_', '-'");
        require(
                instanceId != null && instanceId.matches("[A-Za-z0-9._-]{1,128}"),
                "instance id (SDFLEET_DISPATCHER_ID): letters, digits, '.', '_', '-'");
        Objects.requireNonNull(stateDir, "stateDir");
        require(httpPort >= 0 && httpPort <= 65535, "http port (SDFLEET_HTTP_PORT) 0..65535");
        require(partitions >= 1, "partitions (SDFLEET_PARTITIONS) >= 1");
        require(streamThreads >= 1, "stream threads (SDFLEET_STREAM_THREADS) >= 1");
        require(
                positive(commitInterval) && positive(tick) && positive(admitWait) && positive(retention),
                "commit interval, tick, admit wait and retention must be positive");
        require(maxAttempts >= 1, "max attempts (SDFLEET_MAX_ATTEMPTS) >= 1");
        require(pixelStepsPerGpuSecond > 0, "pixel-steps per GPU-second (SDFLEET_GPU_PIXEL_STEPS_PER_S) > 0");
        require(maxBodyBytes >= 1024, "max body bytes >= 1024");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(webhooks, "webhooks");
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix);
    }

    /** The dispatcher's own topic: webhook outcomes and redelivery commands, keyed by request id. */
    public String controlTopic() {
        return topicPrefix + "dispatcher.control";
    }

    /** The CloudEvents {@code ce_source} of what this instance publishes. */
    public String source() {
        return "/sdfleet/dispatcher/" + instanceId;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String kafkaBootstrap) {
        return new Builder(kafkaBootstrap);
    }

    /**
     * Reads the {@code SDFLEET_*} variables of {@code env}; unset ones keep the defaults of {@link Builder}.
     *
     * @throws IllegalArgumentException naming the variable that is wrong
     */
    public static DispatcherConfig fromEnv(Map<String, String> env) {
        Builder b = new Builder(env.getOrDefault("SDFLEET_KAFKA_BOOTSTRAP", "127.0.0.1:9092"));
        Function<String, String> get = env::get;
        set(get, "SDFLEET_TOPIC_PREFIX", v -> b.topicPrefix = v);
        set(get, "SDFLEET_DISPATCHER_APP_ID", v -> b.applicationId = v);
        set(get, "SDFLEET_DISPATCHER_ID", v -> b.instanceId = v);
        set(get, "SDFLEET_STATE_DIR", v -> b.stateDir = Path.of(v));
        set(get, "SDFLEET_HTTP_HOST", v -> b.httpHost = v);
        set(get, "SDFLEET_HTTP_PORT", v -> b.httpPort = Integer.parseInt(v));
        set(get, "SDFLEET_ADVERTISED_HOST", v -> b.advertisedHost = v);
        set(get, "SDFLEET_PARTITIONS", v -> b.partitions = Integer.parseInt(v));
        set(get, "SDFLEET_STREAM_THREADS", v -> b.streamThreads = Integer.parseInt(v));
        set(get, "SDFLEET_COMMIT_INTERVAL_MS", v -> b.commitInterval = Duration.ofMillis(Long.parseLong(v)));
        set(get, "SDFLEET_ADMIT_WAIT_MS", v -> b.admitWait = Duration.ofMillis(Long.parseLong(v)));
        set(get, "SDFLEET_RETENTION", v -> b.retention = Duration.parse(v));
        set(get, "SDFLEET_MAX_ATTEMPTS", v -> b.maxAttempts = Integer.parseInt(v));
        set(get, "SDFLEET_GPU_PIXEL_STEPS_PER_S", v -> b.pixelStepsPerGpuSecond = Double.parseDouble(v));
        set(get, "SDFLEET_TENANTS", v -> b.tenants = Tenants.parse(v));
        set(get, "SDFLEET_TENANTS_FILE", v -> b.tenants = Tenants.parse(Tenants.readFile(Path.of(v))));
        set(get, "SDFLEET_WEBHOOK_ALLOW", v -> {
            List<String> allowed = Arrays.stream(v.toLowerCase(Locale.ROOT).split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
            for (String item : allowed) {
                require(
                        List.of("loopback", "private", "link_local").contains(item),
                        "SDFLEET_WEBHOOK_ALLOW: loopback, private or link_local, got " + item);
            }
            WebhookSettings w = b.webhooks;
            b.webhooks = new WebhookSettings(
                    w.timeout(),
                    w.initialBackoff(),
                    w.maxBackoff(),
                    w.retryFor(),
                    allowed.contains("loopback"),
                    allowed.contains("private"),
                    allowed.contains("link_local"));
        });
        return b.build();
    }

    private static void set(Function<String, String> env, String name, java.util.function.Consumer<String> setter) {
        String value = env.apply(name);
        if (value != null && !value.isBlank()) {
            try {
                setter.accept(value.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("invalid " + what);
        }
    }

    @Override
    public String toString() {
        return "DispatcherConfig[kafka=" + kafkaBootstrap + ", prefix=" + topicPrefix + ", app=" + applicationId
                + ", instance=" + instanceId + ", state=" + stateDir + ", http=" + httpHost + ":" + httpPort
                + " (advertised " + advertisedHost + "), partitions=" + partitions + ", threads=" + streamThreads
                + ", commit=" + commitInterval.toMillis() + "ms, tick=" + tick.toMillis() + "ms, retention="
                + retention + ", maxAttempts=" + maxAttempts + ", " + tenants + ", webhooks=" + webhooks
                + ", kafkaProperties=" + kafkaProperties.keySet() + "]";
    }

    /** Settings with defaults; see the record's parameters. */
    public static final class Builder {
        private String kafkaBootstrap;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String applicationId = "sdfleet-dispatcher";
        private String instanceId = defaultInstanceId();
        private Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "sdfleet-dispatcher-state");
        private String httpHost = "0.0.0.0";
        private int httpPort = 8080;
        private String advertisedHost = "127.0.0.1";
        private int partitions = 4;
        private int streamThreads = 1;
        private Duration commitInterval = Duration.ofMillis(100);
        private Duration tick = Duration.ofMillis(500);
        private Duration admitWait = Duration.ofSeconds(5);
        private Duration retention = Duration.ofDays(2);
        private int maxAttempts = 3;
        // SD 1.5 at 512x512, 30 steps in about 0.6 s on a TensorRT A100: 512*512*30/0.6.
        private double pixelStepsPerGpuSecond = 13_107_200;
        private int maxBodyBytes = 64 * 1024;
        private Tenants tenants = Tenants.none();
        private WebhookSettings webhooks = WebhookSettings.defaults();
        private Map<String, String> kafkaProperties = Map.of();

        private Builder(String kafkaBootstrap) {
            this.kafkaBootstrap = kafkaBootstrap;
        }

        private Builder(DispatcherConfig c) {
            kafkaBootstrap = c.kafkaBootstrap;
            topicPrefix = c.topicPrefix;
            applicationId = c.applicationId;
            instanceId = c.instanceId;
            stateDir = c.stateDir;
            httpHost = c.httpHost;
            httpPort = c.httpPort;
            advertisedHost = c.advertisedHost;
            partitions = c.partitions;
            streamThreads = c.streamThreads;
            commitInterval = c.commitInterval;
            tick = c.tick;
            admitWait = c.admitWait;
            retention = c.retention;
            maxAttempts = c.maxAttempts;
            pixelStepsPerGpuSecond = c.pixelStepsPerGpuSecond;
            maxBodyBytes = c.maxBodyBytes;
            tenants = c.tenants;
            webhooks = c.webhooks;
            kafkaProperties = c.kafkaProperties;
        }

        private static String defaultInstanceId() {
            String host = System.getenv("HOSTNAME");
            return host != null && host.matches("[A-Za-z0-9._-]{1,128}") ? host : "dispatcher-1";
        }

        public Builder topicPrefix(String v) {
            topicPrefix = v;
            return this;
        }

        public Builder applicationId(String v) {
            applicationId = v;
            return this;
        }

        public Builder instanceId(String v) {
            instanceId = v;
            return this;
        }

        public Builder stateDir(Path v) {
            stateDir = v;
            return this;
        }

        public Builder httpHost(String v) {
            httpHost = v;
            return this;
        }

        public Builder httpPort(int v) {
            httpPort = v;
            return this;
        }

        public Builder advertisedHost(String v) {
            advertisedHost = v;
            return this;
        }

        public Builder partitions(int v) {
            partitions = v;
            return this;
        }

        public Builder streamThreads(int v) {
            streamThreads = v;
            return this;
        }

        public Builder commitInterval(Duration v) {
            commitInterval = v;
            return this;
        }

        public Builder tick(Duration v) {
            tick = v;
            return this;
        }

        public Builder admitWait(Duration v) {
            admitWait = v;
            return this;
        }

        public Builder retention(Duration v) {
            retention = v;
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = v;
            return this;
        }

        public Builder pixelStepsPerGpuSecond(double v) {
            pixelStepsPerGpuSecond = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder tenants(Tenants v) {
            tenants = v;
            return this;
        }

        public Builder webhooks(WebhookSettings v) {
            webhooks = v;
            return this;
        }

        public Builder kafkaProperties(Map<String, String> v) {
            kafkaProperties = v;
            return this;
        }

        public DispatcherConfig build() {
            return new DispatcherConfig(
                    kafkaBootstrap,
                    topicPrefix,
                    applicationId,
                    instanceId,
                    stateDir,
                    httpHost,
                    httpPort,
                    advertisedHost,
                    partitions,
                    streamThreads,
                    commitInterval,
                    tick,
                    admitWait,
                    retention,
                    maxAttempts,
                    pixelStepsPerGpuSecond,
                    maxBodyBytes,
                    tenants,
                    webhooks,
                    kafkaProperties);
        }
    }
}
