package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips through a real in-JVM broker. */
class EmbeddedKafkaTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.builder().numPartitions(2).start();
        System.out.printf("EmbeddedKafka start: %d ms%n", kafka.startTime().toMillis());
    }

    @Test
    void aTakenPortFailsTheStartAndLeavesNoFolderBehind(@TempDir Path parent) throws Exception {
        Path dataDir = parent.resolve("kafka");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException failure = assertThrows(
                    IllegalStateException.class,
                    () -> EmbeddedKafka.builder()
                            .port(taken.getLocalPort())
                            .dataDir(dataDir)
                            .start());
            assertEquals("Kafka port 127.0.0.1:" + taken.getLocalPort() + " is already in use", failure.getMessage());
        }
        // Refused before the format: a later start on this folder is a first start.
        assertFalse(Files.exists(dataDir.resolve("meta.properties")));
    }

    /** Also the close test: a second broker just for it would cost seconds. */
    @AfterAll
    static void closeIsIdempotentAndRemovesTheTemporaryFolder() {
        Path dataDir = kafka.dataDir();
        assertTrue(Files.isDirectory(dataDir));
        kafka.close();
        kafka.close();
        assertFalse(Files.exists(dataDir));
    }

    @Test
    void createsTopicsWithTheirPartitionCounts() {
        kafka.createTopics(Map.of("t.one", 1, "t.four", 4));
        // Asking again with more partitions grows the topic; asking with the same count changes nothing.
        kafka.createTopics(Map.of("t.one", 3, "t.four", 4));

        Map<String, Integer> counts = KafkaTopics.partitionCounts(kafka.bootstrapServers());
        assertEquals(3, counts.get("t.one"));
        assertEquals(4, counts.get("t.four"));
    }

    @Test
    void autoCreatedTopicsTakeTheConfiguredPartitionCount() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("t.auto", "k", "v")).get();
        }
        assertEquals(2, KafkaTopics.partitionCounts(kafka.bootstrapServers()).get("t.auto"));
    }

    @Test
    void producedRecordsReachAConsumerGroupAndOffsetsAreCommitted() throws Exception {
        String topic = "t.roundtrip";
        kafka.createTopics(Map.of(topic, 4));
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i))
                        .get();
            }
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer("g.roundtrip")) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < 20 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.commitSync();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
            long committedTotal = committed.values().stream()
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
            assertEquals(20, committedTotal, "committed offsets over all partitions");
        }

        assertEquals(20, received.size());
        Set<String> values = received.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
        assertTrue(values.contains("value-0") && values.contains("value-19"));
        // Same key, same partition: what the fleet relies on to keep one request's results together.
        Map<String, Set<Integer>> partitionsByKey = received.stream()
                .collect(Collectors.groupingBy(
                        ConsumerRecord::key, Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
        partitionsByKey.values().forEach(partitions -> assertEquals(1, partitions.size()));
    }

    @Test
    void aRestartKeepsRecordsAndCommittedOffsetsAndClientsReconnect() throws Exception {
        String topic = "t.restart";
        kafka.createTopics(Map.of(topic, 1));
        String bootstrap = kafka.bootstrapServers();
        Path dataDir = kafka.dataDir();
        try (KafkaProducer<String, String> producer = producer();
                KafkaConsumer<String, String> consumer = consumer("g.restart")) {
            producer.send(new ProducerRecord<>(topic, "k", "before")).get();
            consumer.subscribe(List.of(topic));
            List<String> read = new ArrayList<>(pollValues(consumer, 1));
            consumer.commitSync();

            kafka = kafka.restart(Duration.ofMillis(500));

            assertEquals(bootstrap, kafka.bootstrapServers());
            assertEquals(dataDir, kafka.dataDir());
            // The same clients go on: the producer's next send and the consumer's next poll reach the new broker.
            producer.send(new ProducerRecord<>(topic, "k", "after")).get();
            read.addAll(pollValues(consumer, 1));
            assertEquals(List.of("before", "after"), read);
            consumer.commitSync();
        }
        try (KafkaConsumer<String, String> again = consumer("g.restart")) {
            TopicPartition partition = new TopicPartition(topic, 0);
            assertEquals(2, again.committed(Set.of(partition)).get(partition).offset());
        }
    }

    private static List<String> pollValues(KafkaConsumer<String, String> consumer, int count) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (values.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
