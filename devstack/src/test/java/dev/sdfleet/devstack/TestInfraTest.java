package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** TestInfra takes containers only where Docker answers; on this machine and on CI that means the embedded path. */
class TestInfraTest {
    @Test
    void fallsBackToEmbeddedServersWithoutDocker() throws Exception {
        // CI and this machine have no Docker engine; where one exists the container path is taken instead.
        assumeFalse(DockerClientFactory.instance().isDockerAvailable(), "a Docker engine answers here");
        assertFalse(TestInfra.dockerUsable());

        try (TestInfra infra = TestInfra.start()) {
            assertEquals(TestInfra.Kind.EMBEDDED, infra.kind());
            infra.createTopics(Map.of("infra.check", 2));
            infra.createBucket("infra");
            roundTripThroughKafka(infra.kafkaBootstrap());
            try (S3Client s3 = infra.s3Client()) {
                s3.putObject(b -> b.bucket("infra").key("k"), RequestBody.fromString("v", StandardCharsets.UTF_8));
                assertEquals(
                        "v",
                        s3.getObjectAsBytes(b -> b.bucket("infra").key("k")).asUtf8String());
            }
        }
    }

    @Test
    void propertySwitchesTheDockerPathOff() {
        String previous = System.getProperty(TestInfra.DOCKER_PROPERTY);
        System.setProperty(TestInfra.DOCKER_PROPERTY, "false");
        try {
            assertFalse(TestInfra.dockerUsable());
        } finally {
            if (previous == null) {
                System.clearProperty(TestInfra.DOCKER_PROPERTY);
            } else {
                System.setProperty(TestInfra.DOCKER_PROPERTY, previous);
            }
        }
    }

    private static void roundTripThroughKafka(String bootstrap) throws Exception {
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("infra.check", "k", "hello")).get();
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "infra");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("infra.check"));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(200));
            }
            assertEquals("hello", records.iterator().next().value());
        }
    }
}
