package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The local fleet's infrastructure: what it creates, how it describes itself, that kcat and the AWS CLI reach it,
 * and what survives a restart. One stack is shared (each Kafka start costs seconds); the restart test runs last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevStackTest {
    private DevStack.Builder builder;
    private DevStack stack;
    private Path root;
    private int kafkaPort;
    private int s3Port;

    @BeforeAll
    void start(@TempDir Path root) {
        this.root = root;
        kafkaPort = FreePorts.pick();
        s3Port = FreePorts.pick();
        builder = DevStack.builder()
                .root(root)
                .kafkaPort(kafkaPort)
                .s3Port(s3Port)
                .topic("sdfleet.jobs", 6);
        stack = builder.start();
        System.out.printf(
                "DevStack first start: %d ms (Kafka %d ms, S3 %d ms)%n",
                stack.startTime().toMillis(),
                stack.kafka().startTime().toMillis(),
                stack.s3().startTime().toMillis());
    }

    @AfterAll
    void stop() {
        stack.close();
    }

    @Test
    @Order(1)
    void createsTheTopicsAndTheBucketUnderTheRoot() {
        assertEquals("127.0.0.1:" + kafkaPort, stack.bootstrapServers());
        // The defaults (the bundled model's three priority lanes among them) plus the builder's extra topic.
        Map<String, Integer> expected = new HashMap<>(DevStack.DEFAULT_TOPICS);
        expected.put("sdfleet.jobs", 6);
        assertEquals(expected, KafkaTopics.partitionCounts(stack.bootstrapServers()));
        assertEquals(4, expected.get("sdfleet.jobs-high.tiny-sd"), "the high lane is a default topic");
        assertTrue(Files.isRegularFile(root.resolve(".sdfleet/kafka/meta.properties")));
        assertTrue(Files.isDirectory(root.resolve(".sdfleet/s3/sdfleet")), "bucket folder");
    }

    @Test
    @Order(2)
    void describesHowToReachIt() {
        String description = stack.describe();
        System.out.println(description);
        assertTrue(description.contains("bootstrap.servers=127.0.0.1:" + kafkaPort), description);
        assertTrue(description.contains("kcat -b 127.0.0.1:" + kafkaPort + " -L"), description);
        assertTrue(
                description.contains("aws --endpoint-url http://127.0.0.1:" + s3Port + " s3 ls s3://sdfleet/"),
                description);
        assertTrue(
                description.contains("AWS_ACCESS_KEY_ID=sdfleet AWS_SECRET_ACCESS_KEY=sdfleet-local-secret"),
                description);
        assertTrue(description.contains("sdfleet.jobs (6)"), description);
    }

    @Test
    @Order(3)
    void kcatAndTheAwsCliWorkAgainstIt() throws Exception {
        CommandLineTools tools = CommandLineTools.findOrSkip();
        String metadata = tools.kcat("-b", stack.bootstrapServers(), "-L");
        assertTrue(metadata.contains("topic \"sdfleet.jobs\" with 6 partitions"), metadata);

        try (S3Client s3 = stack.s3().client()) {
            s3.putObject(
                    b -> b.bucket("sdfleet").key("cli/0.png").contentType("image/png"),
                    RequestBody.fromBytes(new byte[] {1}));
        }
        String listing = tools.aws(stack, "s3", "ls", "s3://sdfleet/cli/");
        assertTrue(listing.contains("0.png"), listing);
    }

    @Test
    @Order(4)
    void restartOnTheSameRootKeepsTopicsRecordsAndObjects() throws Exception {
        produce("sdfleet.jobs", "req-1", "job before restart");
        try (S3Client s3 = stack.s3().client()) {
            s3.putObject(
                    b -> b.bucket("sdfleet")
                            .key("req-1/0.png")
                            .contentType("image/png")
                            .metadata(Map.of("seed", "7")),
                    RequestBody.fromBytes(new byte[] {1, 2, 3}));
        }

        stack.close();
        stack = builder.start();
        System.out.printf(
                "DevStack restart: %d ms (Kafka %d ms, S3 %d ms)%n",
                stack.startTime().toMillis(),
                stack.kafka().startTime().toMillis(),
                stack.s3().startTime().toMillis());

        assertEquals(6, KafkaTopics.partitionCounts(stack.bootstrapServers()).get("sdfleet.jobs"));
        assertEquals(List.of("job before restart"), readAll("sdfleet.jobs"));
        try (S3Client s3 = stack.s3().client()) {
            var head = s3.headObject(b -> b.bucket("sdfleet").key("req-1/0.png"));
            assertEquals("image/png", head.contentType());
            assertEquals(Map.of("seed", "7"), head.metadata());
        }
    }

    private void produce(String topic, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** Reads a topic from the beginning without a group, so nothing is committed. */
    private List<String> readAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long expected = consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }
}
