package dev.sdfleet.worker.testing;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.ProtocolMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic from the beginning, all partitions, outside any group, and keeps what it has seen, so that a test
 * can wait for a message and later look at everything that came.
 */
public final class TopicTail<T extends ProtocolMessage> implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Class<T> type;
    private final List<T> seen = new ArrayList<>();

    TopicTail(String bootstrap, String topic, Class<T> type) {
        this.type = type;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false));
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * The first message (seen before or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError when none comes in time
     */
    public synchronized T await(Predicate<T> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (T message : seen) {
                if (matching.test(message)) {
                    return message;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no matching " + type.getSimpleName() + " within " + timeout + "; seen: " + seen);
            }
            poll(Duration.ofMillis(100));
        }
    }

    /** Everything seen so far, after reading what is there for {@code settle}. */
    public synchronized List<T> all(Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100));
        }
        return List.copyOf(seen);
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            try {
                seen.add(Codec.decode(record.value(), type));
            } catch (RuntimeException e) {
                // another type on a shared topic (results carry progress too): not ours
            }
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
