package dev.sdfleet.bench.fleet;

import dev.sdfleet.bench.BenchReport;
import dev.sdfleet.bench.Percentiles;
import dev.sdfleet.cli.fleet.JobFactory;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.StoredImage;
import dev.sdfleet.worker.config.WorkerConfig;
import dev.sdfleet.worker.kafka.KafkaClients;
import dev.sdfleet.worker.output.ImageStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The least a job can cost on this stack: the servers' own round trips, with the worker's and the benchmark's own
 * clients and settings but none of the worker's code between them. Per round, in the order one job meets them: publish
 * a job and read it back with the worker's jobs consumer, commit its offset with a start mark (the crash quarantine's
 * wait), upload an image with the worker's S3 client, publish a result with the worker's producer and read it with the
 * benchmark's watcher. Rounds are spaced like the jobs of {@link Latency} (one image's time apart), so that
 * connections and server threads idle between them as they do there.
 */
final class ServerFloor {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<Double> published = new ArrayList<>();
    private final List<Double> markCommitted = new ArrayList<>();
    private final List<Double> uploaded = new ArrayList<>();
    private final List<Double> resultRead = new ArrayList<>();
    private final List<Double> chain = new ArrayList<>();

    /**
     * Runs {@code rounds} rounds (after five unmeasured ones) on {@code scope}'s topics.
     *
     * @param factory makes the jobs, as {@link Latency} does
     * @param png an image as the worker uploads it
     * @param gap the time between rounds
     */
    void run(
            BenchStack bench,
            BenchStack.Scope scope,
            WorkerConfig config,
            JobFactory factory,
            byte[] png,
            int rounds,
            Duration gap)
            throws InterruptedException {
        KafkaClients clients =
                new KafkaClients(config.kafkaBootstrap(), scope.group() + "-floor", "floor", config.kafkaProperties());
        TopicPartition jobs = new TopicPartition(scope.topics().jobs(), 0);
        try (JobPublisher publisher = new JobPublisher(bench.kafkaClient(), scope.topics());
                KafkaConsumer<byte[], byte[]> consumer = clients.jobsConsumer();
                KafkaProducer<byte[], byte[]> producer = clients.producer();
                TopicWatcher<JobResult> results =
                        new TopicWatcher<>(bench.kafkaClient(), scope.topics().results(), JobResult.class);
                S3Client s3 = config.s3().client()) {
            consumer.assign(List.of(jobs));
            consumer.seekToEnd(List.of(jobs));
            consumer.position(jobs);
            ImageStore store =
                    new ImageStore(s3, config.s3().bucket(), config.s3().prefix(), "floor");
            for (int i = -5; i < rounds; i++) {
                Thread.sleep(gap.toMillis());
                Job round = factory.job("floor-" + (i + 5), "a red circle on a blue background", i + 5);
                long start = System.nanoTime();
                publisher.publish(round);
                long offset = pollOne(consumer);
                long polled = System.nanoTime();
                consumer.commitSync(Map.of(jobs, new OffsetAndMetadata(offset, "runs/1 " + offset + "=1")), TIMEOUT);
                long committed = System.nanoTime();
                StoredImage image = store.put(round, png);
                long stored = System.nanoTime();
                JobResult result = JobResult.succeeded(round, "floor", 0, Map.of(), image, Instant.now());
                send(producer, scope.topics().results(), Codec.encode(result));
                String id = round.jobId();
                long read = results.await(r -> r.jobId().equals(id), TIMEOUT).seenAtNanos();
                if (i >= 0) {
                    published.add(millis(polled - start));
                    markCommitted.add(millis(committed - polled));
                    uploaded.add(millis(stored - committed));
                    resultRead.add(millis(read - stored));
                    chain.add(millis(read - start));
                }
            }
        }
    }

    /** The whole chain's percentiles (after {@link #run}). */
    Percentiles chain() {
        return Percentiles.of(chain);
    }

    void report(BenchReport report) {
        report.percentiles("floor_published", "servers alone: job published -> polled", Percentiles.of(published))
                .percentiles("floor_mark", "servers alone: start mark committed", Percentiles.of(markCommitted))
                .percentiles("floor_upload", "servers alone: S3 upload", Percentiles.of(uploaded))
                .percentiles("floor_result", "servers alone: result published -> read", Percentiles.of(resultRead))
                .percentiles("floor", "servers alone: the whole chain", Percentiles.of(chain));
    }

    private static long pollOne(KafkaConsumer<byte[], byte[]> consumer) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
            if (!records.isEmpty()) {
                return records.iterator().next().offset();
            }
        }
        throw new IllegalStateException("the job did not come back within " + TIMEOUT);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, value)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("result not acknowledged: " + e.getMessage(), e);
        }
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
