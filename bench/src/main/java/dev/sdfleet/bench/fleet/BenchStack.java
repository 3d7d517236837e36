package dev.sdfleet.bench.fleet;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.devstack.DevStack;
import dev.sdfleet.devstack.KafkaTopics;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.FaultyWorkerMain;
import dev.sdfleet.worker.WorkerProcess;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.model.ModelSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A throw-away local stack for benchmarks (free ports, data in a temporary folder), and one scope per measurement:
 * its own topic prefix and consumer group, so that measurements never see each other's records.
 */
final class BenchStack implements AutoCloseable {
    /** Noticing a dead member takes a session timeout: the broker's minimum (6 s) instead of the default 45 s. */
    static final Map<String, String> QUICK_FAILOVER =
            Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    /** One measurement's topics and group. */
    record Scope(String prefix, Topics topics, String group) {}

    private final Path dir;
    private final Path model;
    private final DevStack stack;
    private int scopes;

    private BenchStack(Path dir, Path model, DevStack stack) {
        this.dir = dir;
        this.model = model;
        this.stack = stack;
    }

    /** A stack on {@code kafka} (null: an embedded broker). */
    static BenchStack start(Path model, LocalFleet.OutsideKafka kafka) {
        try {
            Path dir = Files.createTempDirectory("sdfleet-bench");
            DevStack.Builder stack = DevStack.builder().root(dir).kafkaPort(0).s3Port(0);
            if (kafka != null) {
                stack.outsideKafka(kafka.bootstrapServers(), kafka.clientProperties());
            }
            return new BenchStack(dir, model, stack.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DevStack stack() {
        return stack;
    }

    /** The properties of a client of the stack's Kafka: its bootstrap servers and security settings. */
    Map<String, Object> kafkaClient() {
        Map<String, Object> client = new HashMap<>(stack.kafkaClientProperties());
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return client;
    }

    /** The stack's client properties (security) with {@code more} on top: for a worker's settings. */
    Map<String, String> kafkaProperties(Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(stack.kafkaClientProperties());
        properties.putAll(more);
        return properties;
    }

    String modelId() {
        return ModelSource.idOf(model.toString());
    }

    /** New topics (jobs and results with {@code partitions} partitions) and a new group. */
    Scope scope(String name, int partitions) {
        String prefix = "bench" + (++scopes) + "-" + name + ".";
        Topics topics = Topics.withPrefix(prefix).forModel(modelId()); // the workers' view: this model's jobs
        Map<String, Integer> create = new LinkedHashMap<>();
        topics.all().forEach(topic -> create.put(topic, 1));
        Topics.withPrefix(prefix).jobLanesFor(modelId()).forEach(lane -> create.put(lane, partitions));
        create.put(topics.results(), partitions);
        KafkaTopics.create(stack.bootstrapServers(), stack.kafkaClientProperties(), create);
        return new Scope(prefix, topics, prefix + "workers");
    }

    /** A worker on {@code scope}: this stack, the bucket, the model, a free HTTP port. */
    WorkerConfig.Builder config(Scope scope, String workerId) {
        return WorkerConfig.builder()
                .workerId(workerId)
                .kafkaBootstrap(stack.bootstrapServers())
                .kafkaProperties(stack.kafkaClientProperties())
                .groupId(scope.group())
                .topicPrefix(scope.prefix())
                .s3Endpoint(stack.s3Endpoint())
                .s3AccessKey(stack.credentials().accessKey())
                .s3SecretKey(stack.credentials().secretKey())
                .s3Bucket(stack.bucket())
                .model(model.toString())
                .httpPort(0);
    }

    /**
     * A dispatcher on {@code scope}: this stack's Kafka, the scope's topic prefix, its own application id and state
     * folder (so no other scope's dispatcher shares its stores or its work), the test tenants, an API on a free
     * loopback port, and {@code webhooks} (loopback receivers allowed).
     */
    DispatcherConfig.Builder dispatcherConfig(Scope scope, String instanceId, WebhookSettings webhooks) {
        try {
            return DispatcherConfig.builder(stack.bootstrapServers())
                    .kafkaProperties(stack.kafkaClientProperties())
                    .topicPrefix(scope.prefix())
                    .applicationId(scope.prefix() + "dispatcher")
                    .instanceId(instanceId)
                    .httpHost("127.0.0.1")
                    .httpPort(0)
                    .stateDir(Files.createTempDirectory(dir, scope.prefix() + instanceId + "-state"))
                    // The inputs follow the scope's results topic: TopicSetup grows them to its partition count.
                    .partitions(1)
                    .tenants(TestTenants.tenants())
                    .webhooks(webhooks.withLoopbackAllowed(true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a dispatcher in this JVM (it creates or grows its topics on the scope) and waits until its stream tasks
     * run; start it before the scope's workers and watchers, so they see the topics' final partitions.
     */
    Dispatcher startDispatcher(DispatcherConfig config) throws InterruptedException {
        Dispatcher dispatcher = Dispatcher.start(config);
        try {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!dispatcher.ready()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "dispatcher " + config.instanceId() + " not ready within " + READY_TIMEOUT);
                }
                Thread.sleep(100);
            }
        } catch (RuntimeException | InterruptedException e) {
            dispatcher.close();
            throw e;
        }
        return dispatcher;
    }

    /** Starts a worker in a child JVM (log under the stack's folder) and waits until it is ready. */
    WorkerProcess startProcess(WorkerConfig config) throws InterruptedException {
        WorkerProcess process = WorkerProcess.start(
                config,
                WorkerProcess.currentClassPath(),
                dir.resolve("logs").resolve(config.workerId() + ".log"),
                dev.sdfleet.worker.WorkerJvm.HEAP);
        try {
            return process.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
    }

    /**
     * Starts a worker whose pipeline honours the fault markers ({@link FaultyWorkerMain}) in a child JVM, without
     * waiting for it: a job may kill it before it would ever answer ready.
     */
    WorkerProcess startFaulty(WorkerConfig config) {
        return WorkerProcess.start(
                FaultyWorkerMain.class,
                config,
                WorkerProcess.currentClassPath(),
                dir.resolve("logs").resolve(config.workerId() + ".log"),
                dev.sdfleet.worker.WorkerJvm.HEAP);
    }

    /** Waits until {@code process} is ready; kills it when it is not. */
    WorkerProcess startProcessOf(WorkerProcess process) throws InterruptedException {
        try {
            return process.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
    }

    /** The sum of the group's committed offsets on the scope's jobs topic (each partition started at 0). */
    long committedJobs(Scope scope) {
        try (Admin admin = Admin.create(kafkaClient())) {
            return admin
                    .listConsumerGroupOffsets(scope.group())
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .entrySet()
                    .stream()
                    .filter(e -> e.getKey().topic().equals(scope.topics().jobs()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading committed offsets failed: " + e, e);
        }
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        stack.close();
    }
}
