package dev.sdfleet.dispatcher.support;

import dev.sdfleet.devstack.TestInfra;
import dev.sdfleet.dispatcher.state.Fingerprints;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Failure;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.ProtocolMessage;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.StoredImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A stand-in for the worker (not in this module's reactor): takes jobs from the real broker, stores a small "image"
 * in the real S3 server and publishes the JobResult, or holds the job, or fails it, as the test's policy says.
 * Exercises exactly the contract the real worker follows: jobs in, S3 object plus result out.
 */
public final class FakeWorker implements AutoCloseable {
    /** What to do with a job. */
    public enum Action {
        COMPLETE,
        HOLD,
        FAIL_RETRYABLE,
        FAIL
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final S3Client s3;
    private final String resultsTopic;
    private final Thread thread;
    private final List<Job> seen = new CopyOnWriteArrayList<>();
    private final List<Job> held = new CopyOnWriteArrayList<>();
    private final Queue<Job> toComplete = new ConcurrentLinkedQueue<>();
    private volatile Function<Job, Action> policy;
    private volatile boolean running = true;

    public FakeWorker(TestInfra infra, List<String> jobsTopics, String resultsTopic, Function<Job, Action> policy) {
        this.policy = policy;
        this.resultsTopic = resultsTopic;
        this.s3 = infra.s3Client();
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        infra.kafkaBootstrap(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "fake-worker-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(jobsTopics); // every lane of the model
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        infra.kafkaBootstrap(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new ByteArraySerializer());
        thread = new Thread(this::run, "fake-worker");
        thread.setDaemon(true);
        thread.start();
    }

    public void policy(Function<Job, Action> newPolicy) {
        policy = newPolicy;
    }

    /** Every job taken, in order (retries included). */
    public List<Job> seen() {
        return seen;
    }

    public List<Job> held() {
        return held;
    }

    /** Completes the held jobs of {@code requestId}. */
    public void release(String requestId) {
        held.stream().filter(j -> j.requestId().equals(requestId)).forEach(toComplete::add);
        held.removeIf(j -> j.requestId().equals(requestId));
    }

    /** Completes the held job {@code jobId} (all its attempts held). */
    public void complete(String jobId) {
        held.stream().filter(j -> j.jobId().equals(jobId)).forEach(toComplete::add);
        held.removeIf(j -> j.jobId().equals(jobId));
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    Job job = Codec.decode(record.value(), Job.class);
                    seen.add(job);
                    switch (policy.apply(job)) {
                        case COMPLETE -> complete(job);
                        case HOLD -> held.add(job);
                        case FAIL_RETRYABLE ->
                            fail(job, new Failure(FailureReason.INFERENCE_ERROR, "GPU fell over", true));
                        case FAIL ->
                            fail(job, new Failure(FailureReason.INVALID_PARAMETERS, "cannot draw that", false));
                    }
                }
                Job next;
                while ((next = toComplete.poll()) != null) {
                    complete(next);
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        }
    }

    private void complete(Job job) {
        byte[] image = ("fake png of " + job.jobId() + " seed " + job.seed()).getBytes(StandardCharsets.UTF_8);
        String key = "images/" + job.requestId() + "/" + job.imageIndex() + ".png";
        s3.putObject(b -> b.bucket(SharedInfra.BUCKET).key(key).contentType("image/png"), RequestBody.fromBytes(image));
        StoredImage stored = new StoredImage(
                SharedInfra.BUCKET,
                key,
                "http://127.0.0.1/" + SharedInfra.BUCKET + "/" + key,
                Fingerprints.sha256Hex(image),
                image.length,
                "image/png");
        publish(JobResult.succeeded(job, "fake-worker", 1, Map.of("denoise", 1L), stored, Instant.now()));
    }

    /** Reports {@code step} of the held job's steps done, as a worker does while denoising. */
    public void progress(Job job, int step) {
        publish(JobProgress.of(job, step, Instant.now()));
    }

    private void fail(Job job, Failure failure) {
        publish(JobResult.failed(job, "fake-worker", 1, Map.of(), failure, Instant.now()));
    }

    private void publish(ProtocolMessage result) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(result, "/sdfleet/worker/fake", Instant.now())
                .toMap()
                .forEach(headers::add);
        try {
            producer.send(new ProducerRecord<>(
                            resultsTopic, null, RecordKeys.requestIdOf(result), Codec.encode(result), headers))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close();
        producer.close();
        s3.close();
    }
}
