package dev.sdfleet.cli.fleet;

import dev.sdfleet.localstack.LocalStack;
import dev.sdfleet.localstack.S3Clients;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import dev.sdfleet.worker.WorkerConfig;
import dev.sdfleet.worker.model.WarmUp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local fleet in this JVM: the local stack (Kafka on 9092 and S3 on 9000 by default, data under
 * {@code <root>/.sdfleet}) with every fleet topic and the bucket, and N workers on one model, each with its own HTTP
 * port. Closing it stops the workers gracefully, then the stack; the data stays for the next start.
 */
public final class LocalFleet implements AutoCloseable {
    /** Settings of a local fleet. */
    public record Settings(Path root, int kafkaPort, int s3Port, int workers, int firstHttpPort, Path model,
                           int batchSize, int threads) {
    }

    private final Settings settings;
    private final LocalStack stack;
    private final List<Worker> workers = new ArrayList<>();

    private LocalFleet(Settings settings, LocalStack stack) {
        this.settings = settings;
        this.stack = stack;
    }

    /** Starts the stack, then the workers one after the other; on failure, closes what started. */
    public static LocalFleet start(Settings settings) {
        LocalStack.Builder builder = LocalStack.builder().root(settings.root()).kafkaPort(settings.kafkaPort())
                .s3Port(settings.s3Port());
        // The stack's list lacks the cancels topic, which every worker reads.
        Topics.defaults().all().forEach(topic -> builder.topic(topic,
                LocalStack.DEFAULT_TOPICS.getOrDefault(topic, 1)));
        LocalFleet fleet = new LocalFleet(settings, builder.start());
        try {
            for (int i = 1; i <= settings.workers(); i++) {
                Worker worker = new Worker(fleet.workerConfig("local-worker-" + i,
                        settings.firstHttpPort() == 0 ? 0 : settings.firstHttpPort() + i - 1));
                fleet.workers.add(worker);
                worker.start();
            }
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** A worker's settings on this fleet: its stack, bucket, model and batch size. */
    public WorkerConfig workerConfig(String workerId, int httpPort) {
        return WorkerConfig.builder()
                .workerId(workerId)
                .kafkaBootstrap(stack.bootstrapServers())
                .s3Endpoint(stack.s3Endpoint())
                .s3AccessKey(stack.credentials().accessKey())
                .s3SecretKey(stack.credentials().secretKey())
                .s3Bucket(stack.bucket())
                .model(settings.model().toString())
                .threads(settings.threads())
                .batchSize(settings.batchSize())
                .httpPort(httpPort)
                .build();
    }

    public LocalStack stack() {
        return stack;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The model id jobs must name. */
    public String modelId() {
        return workers.isEmpty() ? workerConfig("any", 0).modelId() : workers.getFirst().config().modelId();
    }

    /** The model's native image side (what its UNet was trained at). */
    public int nativeSide() {
        return WarmUp.nativeSide(settings.model());
    }

    /** Endpoints, worker URLs and commands to copy: what {@code sdfleet up} prints. */
    public String describe() {
        String bootstrap = stack.bootstrapServers();
        String endpoint = stack.s3Endpoint().toString();
        Job example = new JobFactory(modelId(), nativeSide(), 20, 3.0)
                .job("kcat-1", "a red circle on a blue background", 42);
        String awsEnv = "AWS_ACCESS_KEY_ID=" + stack.credentials().accessKey() + " AWS_SECRET_ACCESS_KEY="
                + stack.credentials().secretKey() + " AWS_DEFAULT_REGION=" + S3Clients.REGION.id();
        List<String> lines = new ArrayList<>();
        lines.add(stack.describe());
        lines.add("Workers (model " + modelId() + ", batch size " + settings.batchSize() + "):");
        for (Worker worker : workers) {
            String base = "http://127.0.0.1:" + worker.httpPort();
            lines.add("  " + worker.config().workerId() + "   " + base + "/metrics   " + base + "/health/ready");
        }
        lines.add("Publish a job, read its result, find its image:");
        lines.add("  echo '" + new String(Codec.encode(example), StandardCharsets.UTF_8) + "' \\");
        lines.add("    | kcat -b " + bootstrap + " -t " + Topics.defaults().jobs() + " -k "
                + new String(RecordKeys.keyOf(example), StandardCharsets.UTF_8) + " -P");
        lines.add("  kcat -b " + bootstrap + " -t " + Topics.defaults().results() + " -C -o beginning -e");
        lines.add("  " + awsEnv + " aws --endpoint-url " + endpoint + " s3 ls s3://" + stack.bucket()
                + "/images/ --recursive");
        lines.add("  " + awsEnv + " aws --endpoint-url " + endpoint + " s3 cp s3://" + stack.bucket()
                + "/images/kcat-1/0.png .");
        return String.join(System.lineSeparator(), lines);
    }

    /** Stops the workers (gracefully, in parallel: each drains its own job), then the stack. */
    @Override
    public void close() {
        workers.parallelStream().forEach(Worker::close);
        stack.close();
    }
}
