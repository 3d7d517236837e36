package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.ProtocolMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every partition of one topic outside any consumer group, from the end as it was when created (what came
 * before is someone else's), and remembers what it decoded, stamped with the time it was read.
 */
public final class TopicWatcher<T extends ProtocolMessage> implements AutoCloseable {
    /** A message and when this watcher saw it (System.nanoTime()). */
    public record Seen<T>(T message, long seenAtNanos) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Class<T> type;
    private final List<Seen<T>> seen = new ArrayList<>();

    /** A watcher of {@code topic}; {@code kafka}: the client properties (bootstrap servers, security). */
    public TopicWatcher(Map<String, Object> kafka, String topic, Class<T> type) {
        this.type = type;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sdfleet-cli-watch");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, not at the first poll
    }

    /**
     * The first message seen so far or arriving within {@code timeout} that matches.
     *
     * @throws IllegalStateException when none comes in time
     */
    public Seen<T> await(Predicate<T> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Seen<T> s : seen) {
                if (matching.test(s.message())) {
                    return s;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no matching " + type.getSimpleName() + " within " + timeout);
            }
            poll(Duration.ofMillis(20));
        }
    }

    /** Everything seen so far, after reading for {@code settle} more. */
    public List<Seen<T>> all(Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        do {
            poll(Duration.ofMillis(50));
        } while (System.nanoTime() < deadline);
        return List.copyOf(seen);
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            long now = System.nanoTime();
            try {
                seen.add(new Seen<>(Codec.decode(record.value(), type), now));
            } catch (RuntimeException e) {
                // another message type on a shared topic: not ours
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
