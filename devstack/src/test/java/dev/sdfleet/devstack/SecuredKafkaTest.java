package dev.sdfleet.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The secured broker: a SCRAM user writes where an ACL lets it and nowhere else, a wrong password does not get in, and a
 * certificate user reads over the mTLS listener.
 */
class SecuredKafkaTest {
    private static final String TOPIC = "granted";
    private static final String OTHER = "not-granted";
    private static KafkaSecurity security;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        security = KafkaSecurity.create(List.of("reader"));
        kafka = EmbeddedKafka.builder().security(security).start();
        kafka.createTopics(Map.of(TOPIC, 1, OTHER, 1));
        kafka.addScramUser("alice", "alice-secret");
        kafka.grant(List.of(
                allow("alice", ResourceType.TOPIC, TOPIC, AclOperation.WRITE),
                allow("reader", ResourceType.TOPIC, TOPIC, AclOperation.READ)));
    }

    @AfterAll
    static void stop() {
        try (KafkaSecurity closing = security) {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void aScramUserWritesOnlyWhereAnAclAllows() throws Exception {
        try (KafkaProducer<String, String> producer =
                producer(security.scramClient("alice", "alice-secret"), kafka.bootstrapServers())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", "hello")).get(30, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(OTHER, "k", "no")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
        }
        try (KafkaConsumer<String, String> consumer =
                consumer(security.certificateClient("reader"), kafka.sslBootstrapServers())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(200));
            }
            assertEquals("hello", records.iterator().next().value());
        }
    }

    @Test
    void aWrongPasswordDoesNotGetIn() {
        try (KafkaProducer<String, String> producer =
                producer(security.scramClient("alice", "guess"), kafka.bootstrapServers())) {
            ExecutionException refused = assertThrows(
                    ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(TOPIC, "k", "x")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
        }
    }

    private static AclBinding allow(String user, ResourceType type, String name, AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    private static KafkaProducer<String, String> producer(Map<String, String> security, String bootstrap) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(Map<String, String> security, String bootstrap) {
        Map<String, Object> props = new HashMap<>(security);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
