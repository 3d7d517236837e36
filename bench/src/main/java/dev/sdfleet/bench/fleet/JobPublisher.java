package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Puts jobs on the jobs topic the way the dispatcher does: keyed by request, CloudEvents headers, acks=all. */
public final class JobPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Topics topics;

    /** A publisher on {@code topics}; {@code kafka}: the client properties (bootstrap servers, security). */
    public JobPublisher(Map<String, Object> kafka, Topics topics) {
        this.topics = topics;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Each publish waits for its acknowledgement, so there is nothing to batch: Kafka 4's default linger (5 ms)
        // would only add 5 ms to every job the fleet benchmarks time.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sdfleet-cli");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
    }

    /** Publishes and waits for the broker's acknowledgement. */
    public void publish(Job job) {
        publish(job, topics.jobs());
    }

    /** Publishes on {@code topic} (a priority lane) and waits for the broker's acknowledgement. */
    public void publish(Job job, String topic) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(job, "/sdfleet/cli", Instant.now()).toMap().forEach(headers::add);
        try {
            producer.send(new ProducerRecord<>(topic, null, RecordKeys.keyOf(job), Codec.encode(job), headers))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + job.jobId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("publishing " + job.jobId() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
