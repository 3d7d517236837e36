package dev.sdfleet.bench.fleet;

import dev.sdfleet.protocol.DeadLetter;
import dev.sdfleet.worker.testing.PoisonRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Poison records as kcat or a buggy producer would publish them, and the check that each one was dead-lettered at
 * the position it landed on. The {@code i}-th record of a topic is, in turn: one of {@link PoisonRecords} (65 headers,
 * an empty header name, a null header value, wrong types, another schema version, garbage CloudEvents headers,
 * another message type, a tombstone, a value near the record limit; the near-limit one only once per topic: 10,000 of
 * them would be 10 GB), then one of the caller's own kinds for that topic, then fuzzed records: random bytes and
 * truncations of a valid message, each with random headers (up to 69, some with an empty name or a null value). Seeded,
 * so a run can be repeated.
 */
final class PoisonFeed implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Random random = new Random(42);
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();
    private final Map<String, Integer> sentTo = new HashMap<>();

    /** A feed through its own producer; {@code kafka}: the client properties (bootstrap servers, security). */
    PoisonFeed(Map<String, Object> kafka) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
    }

    /**
     * Sends the next {@code count} poison records of {@code topic}, keyed by {@code key}; does not wait for the
     * broker ({@link #positions} does).
     *
     * @param ownKinds poison particular to the topic's reader (values that fail its checks), sent after the common
     *     kinds
     * @param validMessage a valid message for the topic's reader, whose truncations are half of the fuzzed records
     */
    void send(String topic, String key, List<ProducerRecord<byte[], byte[]>> ownKinds, String validMessage, int count) {
        List<ProducerRecord<byte[], byte[]>> kinds = new ArrayList<>();
        PoisonRecords.all(topic, key).forEach(p -> kinds.add(p.record()));
        kinds.addAll(ownKinds);
        // Numbered per topic across calls, so a topic fed in several rounds still gets each known kind once.
        int first = sentTo.getOrDefault(topic, 0);
        for (int i = first; i < first + count; i++) {
            sent.add(producer.send(i < kinds.size() ? kinds.get(i) : fuzzed(topic, key, validMessage, i)));
        }
        sentTo.put(topic, first + count);
    }

    private ProducerRecord<byte[], byte[]> fuzzed(String topic, String key, String validMessage, int i) {
        RecordHeaders headers = new RecordHeaders();
        int headerCount = random.nextInt(70);
        for (int h = 0; h < headerCount; h++) {
            headers.add(random.nextInt(10) == 0 ? "" : "h" + h, random.nextInt(10) == 0 ? null : new byte[] {(byte) h});
        }
        byte[] value;
        if (i % 2 == 0) {
            value = new byte[1 + random.nextInt(4096)];
            random.nextBytes(value);
        } else {
            value = validMessage
                    .substring(0, 1 + random.nextInt(validMessage.length() - 1))
                    .getBytes(StandardCharsets.UTF_8);
        }
        return new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    /** Where every record sent so far landed ({@code topic/partition/offset}), once the broker acknowledged it. */
    Set<String> positions() throws InterruptedException, ExecutionException {
        Set<String> positions = new HashSet<>();
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata at = f.get();
            positions.add(position(at.topic(), at.partition(), at.offset()));
        }
        return positions;
    }

    /**
     * The positions of {@code positions} with no dead letter on {@code deadLetters} after waiting up to
     * {@code timeout} for them.
     */
    static Set<String> notDeadLettered(Set<String> positions, TopicWatcher<DeadLetter> deadLetters, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> missing = new HashSet<>(positions);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            deadLetters
                    .all(Duration.ofMillis(500))
                    .forEach(s -> missing.remove(position(
                            s.message().topic(),
                            s.message().partition(),
                            s.message().offset())));
        }
        return missing;
    }

    private static String position(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
