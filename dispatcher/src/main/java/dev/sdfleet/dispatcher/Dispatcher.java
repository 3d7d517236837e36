package dev.sdfleet.dispatcher;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ImageLinks;
import dev.sdfleet.dispatcher.config.ModelCatalogue;
import dev.sdfleet.dispatcher.http.ApiVerticle;
import dev.sdfleet.dispatcher.http.OpsVerticle;
import dev.sdfleet.dispatcher.metrics.DispatcherMetrics;
import dev.sdfleet.dispatcher.streams.Admissions;
import dev.sdfleet.dispatcher.streams.DispatcherTopology;
import dev.sdfleet.dispatcher.streams.ProcessorHooks;
import dev.sdfleet.dispatcher.streams.QueueTally;
import dev.sdfleet.dispatcher.streams.StreamsRunner;
import dev.sdfleet.dispatcher.streams.TopicSetup;
import dev.sdfleet.dispatcher.webhook.WebhookSender;
import dev.sdfleet.protocol.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dispatcher instance: topics checked, the HTTP API bound (its address is what Kafka Streams advertises for
 * queries), the webhook sender deployed, then the stream tasks started. {@link #close()} undoes it in reverse order:
 * no new calls first, then the stream tasks (committing), then the clients.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int API_INSTANCES = 2;

    private final DispatcherConfig config;
    private final Vertx vertx;
    private final Producer<String, byte[]> producer;
    private final StreamsRunner streams;
    private final DispatcherMetrics metrics;
    private final KafkaStreamsMetrics streamsMetrics;
    private final int port;
    private final int opsPort;
    private final ImageLinks imageLinks;

    private Dispatcher(
            DispatcherConfig config,
            Vertx vertx,
            Producer<String, byte[]> producer,
            StreamsRunner streams,
            DispatcherMetrics metrics,
            KafkaStreamsMetrics streamsMetrics,
            int port,
            int opsPort,
            ImageLinks imageLinks) {
        this.config = config;
        this.vertx = vertx;
        this.producer = producer;
        this.streams = streams;
        this.metrics = metrics;
        this.streamsMetrics = streamsMetrics;
        this.port = port;
        this.opsPort = opsPort;
        this.imageLinks = imageLinks;
    }

    /** Starts an instance; returns once the API listens (the stream tasks may still be restoring: see ready()). */
    public static Dispatcher start(DispatcherConfig config) {
        LOG.info("Starting dispatcher: {}", config);
        Clock clock = Clock.systemUTC();
        QueueTally tally = new QueueTally(
                config.pixelStepsPerGpuSecond(),
                model -> config.models()
                        .find(model)
                        .map(ModelCatalogue.Model::cost)
                        .orElse(1.0));
        DispatcherMetrics metrics =
                new DispatcherMetrics(tally, config.tenants().names());
        Admissions admissions = new Admissions();
        ensureTopics(config);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Producer<String, byte[]> producer =
                    new KafkaProducer<>(producerProps(config), new StringSerializer(), new ByteArraySerializer());
            opened.add(producer);
            ImageLinks imageLinks = ImageLinks.of(config.imageSigning());
            opened.add(imageLinks);
            Vertx vertx = Vertx.vertx();
            opened.add(() -> vertx.close().await());
            WebhookSender sender = new WebhookSender(
                    config.webhooks(), config.tenants(), producer, config.controlTopic(), metrics, clock);
            DeploymentOptions virtual = new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD);
            vertx.deployVerticle(sender, virtual).await();

            int port = config.httpPort() != 0 ? config.httpPort() : freePort();
            ProcessorHooks hooks = new ProcessorHooks(config, clock, metrics, tally, admissions, sender, imageLinks);
            StreamsRunner streams = new StreamsRunner(
                    config,
                    DispatcherTopology.build(config.topics(), config.controlTopic(), hooks),
                    new HostInfo(config.advertisedHost(), port),
                    hooks);
            opened.add(0, streams);
            vertx.deployVerticle(
                            () -> new ApiVerticle(
                                    config, port, () -> streams, producer, admissions, metrics, clock, imageLinks),
                            new DeploymentOptions(virtual).setInstances(API_INSTANCES))
                    .await();
            int opsPort = port;
            if (config.opsPort().isPresent()) {
                opsPort = config.opsPort().getAsInt() != 0 ? config.opsPort().getAsInt() : freePort();
                vertx.deployVerticle(new OpsVerticle(config, opsPort, () -> streams, metrics), virtual)
                        .await();
            }
            streams.start();
            KafkaStreamsMetrics streamsMetrics = streams.bindMetrics(metrics.registry());
            LOG.info(
                    "Dispatcher {} listening on {}:{} (metrics and health on {})",
                    config.instanceId(),
                    config.httpHost(),
                    port,
                    opsPort);
            return new Dispatcher(config, vertx, producer, streams, metrics, streamsMetrics, port, opsPort, imageLinks);
        } catch (RuntimeException | Error e) {
            for (AutoCloseable resource : opened) {
                try {
                    resource.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://" + config.advertisedHost() + ":" + port;
    }

    /** The port of /metrics and /health/*: the API port unless {@code SDFLEET_OPS_PORT} sets one apart. */
    public int opsPort() {
        return opsPort;
    }

    /** Where /metrics and /health/* are served. */
    public String opsUrl() {
        return "http://" + config.advertisedHost() + ":" + opsPort;
    }

    /** How often this instance's Kafka Streams went into a rebalance since it started (its first join included). */
    public int rebalances() {
        return streams.rebalances();
    }

    /** The standby tasks this instance keeps ({@code SDFLEET_STANDBY_REPLICAS}). */
    public int standbyTasks() {
        return streams.standbyTasks();
    }

    public DispatcherConfig config() {
        return config;
    }

    /** Whether the stream tasks run (the API answers everything). */
    public boolean ready() {
        return streams.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING;
    }

    /** Whether this instance owns the request id's partition now (it answers for it without forwarding). */
    public boolean owns(String requestId) {
        return streams.remoteOwner(requestId).isEmpty();
    }

    public DispatcherMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        LOG.info("Stopping dispatcher {}", config.instanceId());
        try {
            vertx.close().await();
        } finally {
            try {
                streamsMetrics.close();
                streams.close();
            } finally {
                producer.close();
                metrics.registry().close();
                imageLinks.close();
            }
        }
    }

    private static void ensureTopics(DispatcherConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        Topics topics = config.topics();
        try (Admin admin = Admin.create(props)) {
            int partitions = TopicSetup.ensure(
                    admin,
                    List.of(topics.requests(), topics.results(), topics.cancels(), config.controlTopic()),
                    Stream.concat(
                                    config.models().ids().stream().flatMap(model -> topics.jobLanesFor(model).stream()),
                                    Stream.of(topics.events(), topics.dlq()))
                            .toList(),
                    config.partitions());
            LOG.info("Dispatcher inputs have {} partitions", partitions);
        }
    }

    private static Map<String, Object> producerProps(DispatcherConfig config) {
        Map<String, Object> props = new java.util.HashMap<>(config.kafkaProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sdfleet-dispatcher-" + config.instanceId());
        // A 202 promises the request is stored: all in-sync replicas, no duplicates on retry.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        return props;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
