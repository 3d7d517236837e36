package dev.sdfleet.client.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sdfleet.client.ClientFleet;
import dev.sdfleet.client.SdfleetClient;
import dev.sdfleet.dispatcher.support.Eventually;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Generation;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.GenerationStatus;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A request published on the real requests topic is one the real dispatcher takes: it runs to completion and the
 * HTTP API shows it to the tenant the record named. The record carries the key and CloudEvents headers the protocol
 * prescribes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestPublisherTest {
    private ClientFleet fleet;
    private RequestPublisher publisher;

    @BeforeAll
    void start() {
        fleet = new ClientFleet("publisher");
        publisher = new RequestPublisher(
                Map.of("bootstrap.servers", fleet.kafkaBootstrap()), fleet.topics(), "/sdfleet/client-test");
    }

    @AfterAll
    void stop() throws Exception {
        try (var f = fleet) {
            publisher.close();
        }
    }

    @Test
    void theDispatcherRunsAPublishedRequest() throws Exception {
        String id = "pub-" + UUID.randomUUID();
        GenerationRequest request = GenerationRequest.builder("a green triangle", ClientFleet.MODEL)
                .requestId(id)
                .tenant("acme")
                .n(2)
                .size(64, 64)
                .steps(2)
                .build();
        publisher.publish(request).get();

        try (SdfleetClient client = fleet.client()) {
            Generation seen = Eventually.value(id + " admitted", () -> {
                try {
                    return client.get(id);
                } catch (dev.sdfleet.client.SdfleetApiException e) {
                    return null; // 404 until the dispatcher read the record
                }
            });
            Generation done = client.waitFor(seen.id(), Duration.ofSeconds(60));
            assertEquals(GenerationStatus.COMPLETED, done.status());
            assertEquals("acme", done.tenant());
            assertEquals(2, done.images().size());
        }

        ConsumerRecord<String, byte[]> record = recordOf(id);
        assertEquals(id, record.key());
        Map<String, byte[]> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value());
        }
        CloudEventHeaders ce = CloudEventHeaders.parse(headers);
        assertEquals(MessageType.GENERATION_REQUEST, ce.messageType());
        assertEquals("/sdfleet/client-test", ce.source());
        assertEquals(
                CloudEventHeaders.JSON,
                new String(headers.get(CloudEventHeaders.CONTENT_TYPE), StandardCharsets.UTF_8));
    }

    @Test
    void refusesRequestsTheDispatcherWouldDeadLetter() {
        GenerationRequest noTenant = GenerationRequest.builder("x", "tiny-sd")
                .requestId("pub-no-tenant")
                .build();
        assertThrows(ValidationException.class, () -> publisher.publish(noTenant));
        GenerationRequest noId =
                GenerationRequest.builder("x", "tiny-sd").tenant("acme").build();
        assertThrows(ValidationException.class, () -> publisher.publish(noId));
    }

    private ConsumerRecord<String, byte[]> recordOf(String id) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        fleet.kafkaBootstrap(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "publisher-test-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(fleet.topics().requests()));
            return Eventually.value("the record of " + id, () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (id.equals(r.key())) {
                        return r;
                    }
                }
                return null;
            });
        }
    }
}
