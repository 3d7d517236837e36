package dev.sdfleet.devstack;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The local fleet's infrastructure in one object: a Kafka broker on a fixed port (default 9092) and an S3 server on a
 * fixed port (default 9000), both keeping their data under {@code <root>/.sdfleet/}, with the fleet's topics and
 * bucket created. Restarting on the same root keeps topics, records and objects: the Kafka folder is formatted only
 * when new, and topic and bucket creation skip what exists.
 */
public final class DevStack implements AutoCloseable {
    /** Topic names and partition counts of the fleet; jobs and results are spread over 4 partitions. */
    public static final Map<String, Integer> DEFAULT_TOPICS = defaultTopics();

    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final String DEFAULT_BUCKET = "sdfleet";

    private EmbeddedKafka kafka;
    private final String bootstrapServers;
    private final Map<String, String> kafkaClientProperties;
    private final EmbeddedS3 s3;
    private final Map<String, Integer> topics;
    private final String bucket;
    private final Duration startTime;
    private boolean closed;

    private DevStack(Builder builder) {
        long started = System.nanoTime();
        // S3 (about 1.5 s with the bucket) starts beside Kafka (about 3.5 s) instead of after it.
        CompletableFuture<EmbeddedS3> s3Starting = CompletableFuture.supplyAsync(() -> startS3(builder));
        EmbeddedKafka startedKafka = null;
        try {
            if (builder.outsideBootstrap == null) {
                startedKafka = EmbeddedKafka.builder()
                        .port(builder.kafkaPort)
                        .dataDir(builder.root.resolve(".sdfleet/kafka"))
                        .start();
                startedKafka.createTopics(builder.topics);
            } else {
                KafkaTopics.create(builder.outsideBootstrap, builder.kafkaClientProperties, builder.topics);
            }
            this.s3 = s3Starting.join();
        } catch (CompletionException e) {
            closeAfterFailure(startedKafka, s3Starting, e.getCause());
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } catch (RuntimeException | Error e) {
            closeAfterFailure(startedKafka, s3Starting, e);
            throw e;
        }
        this.kafka = startedKafka;
        this.bootstrapServers = kafka != null ? kafka.bootstrapServers() : builder.outsideBootstrap;
        this.kafkaClientProperties = Map.copyOf(builder.kafkaClientProperties);
        this.topics = Collections.unmodifiableMap(new LinkedHashMap<>(builder.topics));
        this.bucket = builder.bucket;
        this.startTime = Duration.ofNanos(System.nanoTime() - started);
    }

    private static EmbeddedS3 startS3(Builder builder) {
        EmbeddedS3 s3 = EmbeddedS3.builder()
                .port(builder.s3Port)
                .dataDir(builder.root.resolve(".sdfleet/s3"))
                .credentials(builder.credentials)
                .start();
        try {
            s3.createBucket(builder.bucket);
            return s3;
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
    }

    /** Closes whichever half did start, waiting for S3 if it is still starting. */
    private static void closeAfterFailure(
            EmbeddedKafka kafka, CompletableFuture<EmbeddedS3> s3Starting, Throwable failure) {
        List<AutoCloseable> opened = new ArrayList<>();
        if (kafka != null) {
            opened.add(kafka);
        }
        opened.add(() -> {
            EmbeddedS3 s3 = s3Starting.exceptionally(startFailure -> null).join();
            if (s3 != null) {
                s3.close();
            }
        });
        Closeables.closeAfterFailure(opened, failure);
    }

    /** Starts configuring a local stack under the current folder on the default ports. */
    public static Builder builder() {
        return new Builder();
    }

    /** The running broker; null when the stack uses an outside Kafka ({@link Builder#outsideKafka}). */
    public synchronized EmbeddedKafka kafka() {
        return kafka;
    }

    /** The running S3 server. */
    public EmbeddedS3 s3() {
        return s3;
    }

    /** {@code bootstrap.servers} for Kafka clients. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client properties every client of the stack's Kafka needs (its security settings); none for the embedded one. */
    public Map<String, String> kafkaClientProperties() {
        return kafkaClientProperties;
    }

    /** The S3 endpoint. */
    public URI s3Endpoint() {
        return s3.endpoint();
    }

    /** The S3 keys. */
    public S3Credentials credentials() {
        return s3.credentials();
    }

    /** The fleet's bucket. */
    public String bucket() {
        return bucket;
    }

    /** The topics this stack made sure of, with their partition counts. */
    public Map<String, Integer> topics() {
        return topics;
    }

    /** Wall time of the whole start: broker, topics, S3 server and bucket. */
    public Duration startTime() {
        return startTime;
    }

    /** How to reach the stack, with kcat and AWS CLI commands to copy. */
    public String describe() {
        String kafkaAddress = bootstrapServers();
        String endpoint = s3Endpoint().toString();
        S3Credentials keys = credentials();
        String awsEnv = "AWS_ACCESS_KEY_ID=" + keys.accessKey() + " AWS_SECRET_ACCESS_KEY=" + keys.secretKey()
                + " AWS_DEFAULT_REGION=" + S3Clients.REGION.id();
        String topicList = topics.entrySet().stream()
                .map(topic -> topic.getKey() + " (" + topic.getValue() + ")")
                .collect(Collectors.joining(", "));
        return String.join(
                System.lineSeparator(),
                "sdfleet local stack (started in " + startTime.toMillis() + " ms)",
                "  Kafka    bootstrap.servers=" + kafkaAddress
                        + (kafka != null ? "   data " + kafka.dataDir().toAbsolutePath() : "   (outside Kafka)"),
                "           topics: " + topicList,
                "  S3       endpoint " + endpoint + "   bucket " + bucket + "   data "
                        + s3.dataDir().toAbsolutePath(),
                "           " + awsEnv,
                "Try:",
                "  kcat -b " + kafkaAddress + " -L",
                "  " + awsEnv + " aws --endpoint-url " + endpoint + " s3 ls s3://" + bucket + "/");
    }

    /**
     * Restarts the embedded broker on the same port and folder after {@code down} (a broker restart for fault
     * tests); S3 and every client keep running and reconnect. Not for an outside Kafka.
     */
    public synchronized void restartKafka(Duration down) throws InterruptedException {
        if (kafka == null) {
            throw new IllegalStateException("the stack uses an outside Kafka; it cannot restart it");
        }
        if (closed) {
            throw new IllegalStateException("the stack is closed");
        }
        kafka = kafka.restart(down);
    }

    /** Stops S3 and Kafka; the data folders stay. A second call does nothing. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            List<AutoCloseable> started = new ArrayList<>(List.of(s3));
            if (kafka != null) {
                started.add(kafka);
            }
            Closeables.closeAll(started);
        }
    }

    private static Map<String, Integer> defaultTopics() {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put("sdfleet.requests", 1);
        // The bundled model's jobs, one lane per priority (Topics.jobLanesFor).
        topics.put("sdfleet.jobs-high.tiny-sd", 4);
        topics.put("sdfleet.jobs.tiny-sd", 4);
        topics.put("sdfleet.jobs-low.tiny-sd", 4);
        topics.put("sdfleet.results", 4);
        topics.put("sdfleet.events", 1);
        topics.put("sdfleet.dlq", 1);
        return Collections.unmodifiableMap(topics);
    }

    /** Settings for {@link DevStack}. */
    public static final class Builder {
        private Path root = Path.of("");
        private int kafkaPort = DEFAULT_KAFKA_PORT;
        private int s3Port = DEFAULT_S3_PORT;
        private final Map<String, Integer> topics = new LinkedHashMap<>(DEFAULT_TOPICS);
        private String bucket = DEFAULT_BUCKET;
        private S3Credentials credentials = S3Credentials.LOCAL;
        private String outsideBootstrap;
        private Map<String, String> kafkaClientProperties = Map.of();

        private Builder() {}

        /**
         * Uses a running Kafka (a secured cluster, say) instead of starting one: the topics are made there with these
         * client properties, and nothing of it is stopped on close. Null: the embedded broker (the default).
         */
        public Builder outsideKafka(String bootstrapServers, Map<String, String> clientProperties) {
            this.outsideBootstrap = bootstrapServers;
            this.kafkaClientProperties = Map.copyOf(clientProperties);
            return this;
        }

        /** Folder under which {@code .sdfleet/kafka} and {@code .sdfleet/s3} live; default the current folder. */
        public Builder root(Path root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        /** Kafka client port; default 9092, 0 picks a free one. */
        public Builder kafkaPort(int kafkaPort) {
            this.kafkaPort = kafkaPort;
            return this;
        }

        /** S3 port; default 9000, 0 picks a free one. */
        public Builder s3Port(int s3Port) {
            this.s3Port = s3Port;
            return this;
        }

        /** Adds a topic or changes the partition count of one. */
        public Builder topic(String name, int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("Topic " + name + " needs >= 1 partition: " + partitions);
            }
            topics.put(Objects.requireNonNull(name, "name"), partitions);
            return this;
        }

        /** Replaces the whole topic list. */
        public Builder topics(Map<String, Integer> partitionsByTopic) {
            topics.clear();
            partitionsByTopic.forEach(this::topic);
            return this;
        }

        /** The fleet's bucket; default {@code sdfleet}. */
        public Builder bucket(String bucket) {
            this.bucket = Objects.requireNonNull(bucket, "bucket");
            return this;
        }

        /** S3 keys; default {@link S3Credentials#LOCAL}. */
        public Builder credentials(S3Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Starts Kafka (unless an outside one is used), creates the topics, starts S3, creates the bucket. */
        public DevStack start() {
            return new DevStack(this);
        }
    }
}
