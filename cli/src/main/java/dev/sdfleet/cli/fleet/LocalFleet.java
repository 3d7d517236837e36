package dev.sdfleet.cli.fleet;

import dev.sdfleet.devstack.DevStack;
import dev.sdfleet.devstack.S3Clients;
import dev.sdfleet.dispatcher.Dispatcher;
import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.config.ModelCatalogue;
import dev.sdfleet.dispatcher.config.Tenants;
import dev.sdfleet.dispatcher.config.WebhookSettings;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.model.ModelSource;
import dev.sdfleet.worker.model.WarmUp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The local fleet in this JVM: the local stack (Kafka on 9092 and S3 on 9000 by default, data under
 * {@code <root>/.sdfleet}) with every fleet topic and the bucket, one dispatcher (HTTP on 8080 by default, its stores
 * under {@code .sdfleet/dispatcher}, the tenant of {@link LocalTenants}), and N workers on each of its models (the
 * dispatcher serves exactly those; each model's jobs go to its own topic), each worker with its own HTTP port. Closing it stops the workers gracefully, then the dispatcher, then the stack; the data stays for the
 * next start.
 */
public final class LocalFleet implements AutoCloseable {
    /**
     * The dispatcher's partition count. Its inputs (requests, results, cancels) are created with it, so a new fleet
     * starts co-partitioned; older data has the dispatcher grow its topics once.
     */
    private static final int DISPATCHER_PARTITIONS = 4;
    /** Ample for a dispatcher to restore its stores and join its group on a busy 2-core machine. */
    private static final Duration DISPATCHER_READY_TIMEOUT = Duration.ofMinutes(3);

    /**
     * Settings of a local fleet.
     *
     * @param firstHttpPort the first worker's metrics/health port, the next workers' follow (0: free ports)
     * @param dispatcherPort the dispatcher's API port (0: a free one)
     * @param models the model folders, one or more: {@code workers} workers for each, the first is the main one
     */
    public record Settings(
            Path root,
            int kafkaPort,
            int s3Port,
            int workers,
            int firstHttpPort,
            int dispatcherPort,
            List<Path> models,
            int batchSize,
            int threads) {
        public Settings {
            models = List.copyOf(models);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a local fleet needs a model");
            }
            // Port 0 means a free port for each; a fixed dispatcher port must not fall among the workers' ports.
            if (dispatcherPort != 0
                    && firstHttpPort != 0
                    && dispatcherPort >= firstHttpPort
                    && dispatcherPort < firstHttpPort + workers) {
                throw new IllegalArgumentException("the dispatcher's port " + dispatcherPort
                        + " is one of the workers' ports " + firstHttpPort + ".." + (firstHttpPort + workers - 1));
            }
        }

        /** A fleet on one model. */
        public Settings(
                Path root,
                int kafkaPort,
                int s3Port,
                int workers,
                int firstHttpPort,
                int dispatcherPort,
                Path model,
                int batchSize,
                int threads) {
            this(root, kafkaPort, s3Port, workers, firstHttpPort, dispatcherPort, List.of(model), batchSize, threads);
        }

        /** The main model (the first). */
        public Path model() {
            return models.getFirst();
        }
    }

    /**
     * A Kafka that is already running (a secured cluster, say) for the fleet instead of the embedded broker: the
     * dispatcher, the workers and the topic setup connect with these client properties.
     */
    public record OutsideKafka(String bootstrapServers, Map<String, String> clientProperties) {
        public OutsideKafka {
            clientProperties = Map.copyOf(clientProperties);
        }

        /** The properties of a client of this Kafka: its bootstrap servers and its client properties. */
        public Map<String, Object> client() {
            Map<String, Object> client = new HashMap<>(clientProperties);
            client.put("bootstrap.servers", bootstrapServers);
            return client;
        }
    }

    private final Settings settings;
    private final DevStack stack;
    private final List<Worker> workers = new ArrayList<>();
    private Dispatcher dispatcher;

    private LocalFleet(Settings settings, DevStack stack) {
        this.settings = settings;
        this.stack = stack;
    }

    /**
     * Starts the stack, the dispatcher, then the workers one after the other, and waits until the dispatcher is ready;
     * on failure, closes what started. The dispatcher goes before the workers because it grows the topics it reads
     * (requests, cancels) to its partition count: the workers' cancel readers then see every partition from the start.
     */
    public static LocalFleet start(Settings settings) {
        return start(settings, null);
    }

    /** {@link #start(Settings)} on {@code kafka} (null: the embedded broker). */
    public static LocalFleet start(Settings settings, OutsideKafka kafka) {
        DevStack.Builder builder = DevStack.builder()
                .root(settings.root())
                .kafkaPort(settings.kafkaPort())
                .s3Port(settings.s3Port());
        if (kafka != null) {
            builder.outsideKafka(kafka.bootstrapServers(), kafka.clientProperties());
        }
        // The stack's list lacks the cancels topic, which every worker reads.
        Topics topics =
                Topics.defaults().forModel(ModelSource.idOf(settings.model().toString()));
        List<String> dispatcherInputs = List.of(topics.requests(), topics.results(), topics.cancels());
        topics.all()
                .forEach(topic -> builder.topic(
                        topic,
                        Math.max(
                                DevStack.DEFAULT_TOPICS.getOrDefault(topic, 1),
                                dispatcherInputs.contains(topic) ? DISPATCHER_PARTITIONS : 1)));
        LocalFleet fleet = new LocalFleet(settings, builder.start());
        try {
            fleet.dispatcher = Dispatcher.start(fleet.dispatcherConfig());
            int n = 0;
            for (Path model : settings.models()) {
                for (int i = 1; i <= settings.workers(); i++, n++) {
                    String id = settings.models().size() == 1
                            ? "local-worker-" + i
                            : "local-worker-" + ModelSource.idOf(model.toString()) + "-" + i;
                    Worker worker = new Worker(fleet.workerConfig(
                            id, settings.firstHttpPort() == 0 ? 0 : settings.firstHttpPort() + n, model));
                    fleet.workers.add(worker);
                    worker.start();
                }
            }
            fleet.awaitDispatcherReady();
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** A worker's settings on this fleet: its stack, bucket, model and batch size. */
    public WorkerConfig workerConfig(String workerId, int httpPort) {
        return workerConfig(workerId, httpPort, settings.model());
    }

    private WorkerConfig workerConfig(String workerId, int httpPort, Path model) {
        return WorkerConfig.builder()
                .workerId(workerId)
                .kafkaBootstrap(stack.bootstrapServers())
                .kafkaProperties(stack.kafkaClientProperties())
                .s3Endpoint(stack.s3Endpoint())
                .s3AccessKey(stack.credentials().accessKey())
                .s3SecretKey(stack.credentials().secretKey())
                .s3Bucket(stack.bucket())
                .model(model.toString())
                .threads(settings.threads())
                .batchSize(settings.batchSize())
                .httpPort(httpPort)
                .build();
    }

    /**
     * The dispatcher's settings on this fleet: API on loopback only, webhooks to loopback allowed (local receivers),
     * and the stack's S3 with its keys, so that images carry a presigned {@code download_url} a plain curl fetches.
     */
    DispatcherConfig dispatcherConfig() {
        return DispatcherConfig.builder(stack.bootstrapServers())
                .kafkaProperties(stack.kafkaClientProperties())
                .s3(
                        stack.s3Endpoint(),
                        stack.credentials().accessKey(),
                        stack.credentials().secretKey())
                .instanceId("local-dispatcher")
                .stateDir(settings.root().resolve(".sdfleet/dispatcher"))
                .httpHost("127.0.0.1")
                .httpPort(settings.dispatcherPort())
                .partitions(DISPATCHER_PARTITIONS)
                .tenants(Tenants.parse(Tenants.readFile(LocalTenants.ensure(settings.root()))))
                .webhooks(WebhookSettings.defaults().withLoopbackAllowed(true))
                .models(catalogue())
                .build();
    }

    /** The fleet's models for the dispatcher: each at its native size by default, 20 steps, any allowed size. */
    private ModelCatalogue catalogue() {
        return ModelCatalogue.of(settings.models().stream()
                .map(model -> {
                    String id = ModelSource.idOf(model.toString());
                    int side = WarmUp.nativeSide(model);
                    return new ModelCatalogue.Model(
                            id, id, side, side, List.of(), 20, GenerationRequest.MAX_STEPS, 1.0);
                })
                .toArray(ModelCatalogue.Model[]::new));
    }

    private void awaitDispatcherReady() {
        long deadline = System.nanoTime() + DISPATCHER_READY_TIMEOUT.toNanos();
        while (!dispatcher.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the dispatcher was not ready within " + DISPATCHER_READY_TIMEOUT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the dispatcher", e);
            }
        }
    }

    public DevStack stack() {
        return stack;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** The API key of the local tenant (from {@code .sdfleet/tenants.json}). */
    public String apiKey() {
        return LocalTenants.apiKey(settings.root())
                .orElseThrow(() -> new IllegalStateException("no API key in " + LocalTenants.file(settings.root())));
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The model id jobs must name. */
    public String modelId() {
        return workers.isEmpty()
                ? workerConfig("any", 0).modelId()
                : workers.getFirst().config().modelId();
    }

    /** The model's native image side (what its UNet was trained at). */
    public int nativeSide() {
        return WarmUp.nativeSide(settings.model());
    }

    /** Endpoints, worker URLs and commands to copy: what {@code sdfleet up} prints. */
    public String describe() {
        String bootstrap = stack.bootstrapServers();
        String endpoint = stack.s3Endpoint().toString();
        Job example = new JobFactory(modelId(), nativeSide(), 20, GenerationRequest.DEFAULT_GUIDANCE)
                .job("kcat-1", "a red circle on a blue background", 42);
        String awsEnv = "AWS_ACCESS_KEY_ID=" + stack.credentials().accessKey() + " AWS_SECRET_ACCESS_KEY="
                + stack.credentials().secretKey() + " AWS_DEFAULT_REGION=" + S3Clients.REGION.id();
        List<String> lines = new ArrayList<>();
        lines.add(stack.describe());
        lines.add("Workers (batch size " + settings.batchSize() + "):");
        for (Worker worker : workers) {
            String base = "http://127.0.0.1:" + worker.httpPort();
            lines.add("  " + worker.config().workerId() + " (" + worker.config().modelId() + ")   " + base
                    + "/metrics   " + base + "/health/ready");
        }
        lines.addAll(describeDispatcher());
        lines.add("Or publish a job straight on Kafka, read its result, find its image:");
        lines.add("  echo '" + new String(Codec.encode(example), StandardCharsets.UTF_8) + "' \\");
        lines.add("    | kcat -b " + bootstrap + " -t " + Topics.defaults().jobsFor(modelId()) + " -k "
                + new String(RecordKeys.keyOf(example), StandardCharsets.UTF_8) + " -P");
        lines.add("  kcat -b " + bootstrap + " -t " + Topics.defaults().results() + " -C -o beginning -e -q"
                + " | grep '\"job_id\":\"" + example.jobId() + "\"'");
        lines.add("  " + awsEnv + " aws --endpoint-url " + endpoint + " s3 ls s3://" + stack.bucket()
                + "/images/ --recursive");
        lines.add("  " + awsEnv + " aws --endpoint-url " + endpoint + " s3 cp s3://" + stack.bucket()
                + "/images/kcat-1/0.png .");
        return String.join(System.lineSeparator(), lines);
    }

    /** The dispatcher's URL and API key, and how to submit with the CLI or curl. */
    private List<String> describeDispatcher() {
        String base = dispatcher.baseUrl();
        String auth = "-H 'Authorization: Bearer " + apiKey() + "'";
        String body = "{\"prompt\":\"a red circle on a blue background\",\"model\":\"" + modelId() + "\",\"width\":"
                + nativeSide() + ",\"height\":" + nativeSide() + "}";
        List<String> lines = new ArrayList<>();
        lines.add("Dispatcher: " + base + "   (HTTP API; " + base + "/health/ready   " + base + "/metrics   " + base
                + "/openapi.yaml)");
        lines.add("  API key: " + apiKey() + "   (tenant " + LocalTenants.TENANT + ", in "
                + LocalTenants.file(settings.root()) + ")");
        lines.add("Submit a prompt through the dispatcher, wait, download the image into ./out:");
        lines.add("  ./sdfleet submit \"a red circle on a blue background\"");
        lines.add("The same with curl (the POST answers 202 with the request's id; GET it until \"completed\"):");
        lines.add("  id=$(curl -s " + auth + " -H \"Idempotency-Key: curl-$RANDOM\" \\");
        lines.add("    -H 'Content-Type: application/json' -d '" + body + "' \\");
        lines.add("    " + base + "/v1/generations | jq -r .id)");
        lines.add("  curl -s " + auth + " " + base + "/v1/generations/$id | jq");
        return lines;
    }

    /**
     * Stops the workers (gracefully, in parallel: each drains its own job), then the dispatcher (its last results
     * are in by then), then the stack.
     */
    @Override
    public void close() {
        try {
            workers.parallelStream().forEach(Worker::close);
            if (dispatcher != null) {
                dispatcher.close();
            }
        } finally {
            stack.close();
        }
    }
}
