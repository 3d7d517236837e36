package dev.sdfleet.bench.dispatcher;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.StoredImage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Answers every job at once with a success (no GPU, no S3) and notes when each request's result was published. */
final class BenchWorker implements AutoCloseable {
    private static final String SHA = "0".repeat(64);
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final String results;
    private final Thread thread;
    final Map<String, Long> publishedNanos = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /** {@code kafka}: the client properties (bootstrap servers, security). */
    BenchWorker(Map<String, Object> kafka, List<String> jobs, String results) {
        this.results = results;
        Map<String, Object> consumerProps = new HashMap<>(kafka);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-worker-" + UUID.randomUUID());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(jobs); // every lane of the model
        Map<String, Object> producerProps = new HashMap<>(kafka);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        thread = new Thread(this::run, "bench-worker");
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    Job job = Codec.decode(record.value(), Job.class);
                    StoredImage image = new StoredImage(
                            "sdfleet",
                            "bench/" + job.jobId() + ".png",
                            "http://127.0.0.1/sdfleet/bench/" + job.jobId() + ".png",
                            SHA,
                            1,
                            "image/png");
                    JobResult result = JobResult.succeeded(job, "bench-worker", 0, Map.of(), image, Instant.now());
                    publishedNanos.putIfAbsent(job.requestId(), System.nanoTime());
                    producer.send(new ProducerRecord<>(results, job.requestId(), Codec.encode(result)));
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close();
        producer.close();
    }
}
