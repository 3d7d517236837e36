package dev.sdfleet.dispatcher.streams;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.state.RequestState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams instance: exactly-once v2, this instance's API address advertised for interactive queries, and
 * the lookups the API needs (who owns a request id, and the local store).
 */
public final class StreamsRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final ThreadFailures failures;
    private final boolean staticMembership;
    private final AtomicInteger rebalances = new AtomicInteger();
    private volatile boolean runningOnce;

    public StreamsRunner(DispatcherConfig config, Topology topology, HostInfo self, ProcessorHooks hooks) {
        this.self = self;
        this.failures = new ThreadFailures(hooks.clock());
        this.staticMembership = config.staticMembership();
        Properties props = properties(config, self);
        // A record that fails goes to the dead-letter topic in our format and the task goes on (see the handler).
        DeadLetterHandler.install(props, config.topics().dlq(), DeadLetterHandler.sink(hooks));
        streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            hooks.metrics().streamThreadFailed();
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = failures.failed();
            if (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD) {
                LOG.error("Stream thread failed; replacing it (its tasks restart from the last commit)", e);
            } else {
                LOG.error(
                        "Stream thread failed {} times within {}; shutting Kafka Streams down (liveness DOWN)",
                        ThreadFailures.LIMIT,
                        ThreadFailures.WINDOW,
                        e);
            }
            return response;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                runningOnce = true;
            }
            if (now == KafkaStreams.State.REBALANCING) {
                rebalances.incrementAndGet();
            }
        });
    }

    /**
     * The Kafka Streams properties of {@code config} for an instance that advertises {@code self} (the dead-letter
     * handler, which needs the running instance's hooks, is installed by the constructor on top).
     */
    public static Properties properties(DispatcherConfig config, HostInfo self) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(StreamsConfig.CLIENT_ID_CONFIG, config.applicationId() + "-" + config.instanceId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        // No global stores here; set as Kafka asks, so the default change in 5.0 changes nothing.
        props.put("processing.exception.handler.global.enabled", true);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // The inputs are independent (each record is applied to its request on its own), so a task need not hold
        // back one input partition to interleave the others by timestamp.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // Streams batches output for 100 ms by default; jobs are small and latency is what a GPU waits on.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // Without static membership a stopping instance leaves the group (close()), and a short session timeout
        // only matters for one that died. With it, the instance keeps its member id across a restart: the group
        // waits up to the session timeout for it instead of rebalancing twice (out, then in again), so that
        // timeout must outlast a restart. Kafka Streams appends each stream thread's index to the id.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), (int)
                config.sessionTimeout().toMillis());
        if (config.staticMembership()) {
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        // Warm copies of other instances' stores: a fail-over resumes from a standby instead of the changelog.
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        return props;
    }

    public void start() {
        streams.start();
    }

    /** Publishes the Kafka Streams client metrics (lag, commit and process rates) in {@code registry}. */
    public io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics bindMetrics(
            io.micrometer.core.instrument.MeterRegistry registry) {
        var binder = new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        return binder;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Whether this instance can answer the API: running, or rebalancing after it ran (a rebalance moves some
     * partitions for a moment; readiness flapping with every scale-up would take all instances out of service at
     * once). Not while the first restore runs.
     */
    public boolean serving() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || (runningOnce && state == KafkaStreams.State.REBALANCING);
    }

    /** Whether this instance is live: Kafka Streams has not failed, and its threads are not dying over and over. */
    public boolean live() {
        return streams.state() != KafkaStreams.State.ERROR
                && streams.state() != KafkaStreams.State.PENDING_ERROR
                && !failures.repeated();
    }

    /** How often this instance went into REBALANCING since it was created (the first join included). */
    public int rebalances() {
        return rebalances.get();
    }

    /** The standby tasks (warm store copies of partitions another instance owns) this instance keeps now. */
    public int standbyTasks() {
        return streams.metadataForLocalThreads().stream()
                .mapToInt(thread -> thread.standbyTasks().size())
                .sum();
    }

    public HostInfo self() {
        return self;
    }

    /**
     * Where the request id lives: empty when this instance owns it (or nobody can tell yet, in which case the local
     * lookup answers "not here"), else the owner's API address.
     */
    public Optional<HostInfo> remoteOwner(String requestId) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(
                DispatcherTopology.REQUESTS_STORE, requestId, Serdes.String().serializer());
        if (metadata == null
                || metadata == KeyQueryMetadata.NOT_AVAILABLE
                || metadata.activeHost() == null
                || metadata.activeHost().equals(self)) {
            return Optional.empty();
        }
        return Optional.of(metadata.activeHost());
    }

    /**
     * The request in this instance's store, read from the id's own partition only; throws
     * {@code InvalidStateStoreException} while nobody can tell where the id lives or while that partition is not
     * active here (restoring, or just moved). Reading every local partition instead answered "no such request"
     * during a failover, when the id's partition was not open here yet: a wrong 404 for a request that exists.
     */
    /**
     * The requests of this instance's active partitions that {@code wanted} accepts, read through every local store.
     * A full scan: the list endpoint pays for it, sized by the retention (see the README).
     */
    public List<RequestState> localRequests(Predicate<RequestState> wanted) {
        ReadOnlyKeyValueStore<String, RequestState> store = streams.store(StoreQueryParameters.fromNameAndType(
                DispatcherTopology.REQUESTS_STORE, QueryableStoreTypes.<String, RequestState>keyValueStore()));
        List<RequestState> found = new ArrayList<>();
        try (KeyValueIterator<String, RequestState> all = store.all()) {
            all.forEachRemaining(kv -> {
                if (wanted.test(kv.value)) {
                    found.add(kv.value);
                }
            });
        }
        return found;
    }

    /** The API addresses of the other instances running the dispatcher's stream tasks. */
    public List<HostInfo> otherInstances() {
        return streams.metadataForAllStreamsClients().stream()
                .map(StreamsMetadata::hostInfo)
                .filter(host -> !host.equals(self()))
                .distinct()
                .toList();
    }

    public Optional<RequestState> local(String requestId) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(
                DispatcherTopology.REQUESTS_STORE, requestId, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE) {
            throw new InvalidStateStoreException("no instance is known to own " + requestId + " yet");
        }
        ReadOnlyKeyValueStore<String, RequestState> store = streams.store(StoreQueryParameters.fromNameAndType(
                        DispatcherTopology.REQUESTS_STORE, QueryableStoreTypes.<String, RequestState>keyValueStore())
                .withPartition(metadata.partition()));
        return Optional.ofNullable(store.get(requestId));
    }

    @Override
    public void close() {
        // Leaving the group hands the partitions to the other instances now, not after a session timeout. A static
        // member stays: it is expected back (a rolling restart) and takes its partitions back without a rebalance;
        // if it does not come back, its partitions move when the session times out.
        streams.close(CloseOptions.groupMembershipOperation(
                        staticMembership
                                ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                                : CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
