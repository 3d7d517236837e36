package dev.sdfleet.client.kafka;

import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.RecordKeys;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.ValidationException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@link GenerationRequest}s to the requests topic ({@code sdfleet.requests}) as the dispatcher reads them:
 * the request id as the record key (so a request's records share a partition, see {@link RecordKeys}), the protocol's
 * JSON as the value, and the CloudEvents headers ({@code ce_type dev.sdfleet.request.v1}, {@code ce_id},
 * {@code ce_source}, ...) in binary mode.
 *
 * <p>On this topic {@code request_id} and {@code tenant} are required: the id is the idempotency key (the same id
 * and body again is a duplicate the dispatcher drops; the same id with another body is refused), and nothing
 * authenticates a record, so the tenant is whatever the publisher says; the topic's ACL decides who may publish
 * ({@code KafkaAccess.publisher}). A record the dispatcher refuses goes to the dead-letter topic, with the reason.
 * The outcome comes by webhook or the HTTP API, not on this topic.
 *
 * <p>The producer is idempotent with {@code acks=all}, so a retried send does not write a request twice.
 */
public final class RequestPublisher implements AutoCloseable {
    /** The {@code ce_source} of records from this publisher unless another is given. */
    public static final String DEFAULT_SOURCE = "/sdfleet/client";

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String source;
    private final Clock clock;

    /**
     * A publisher with its own producer.
     *
     * @param kafka the producer's settings: at least {@code bootstrap.servers}, plus any security settings; the
     *     serializers, {@code acks=all} and idempotence are set here
     * @param topics the fleet's topic names ({@link Topics#defaults()} unless it uses a prefix)
     * @param source the {@code ce_source} of the records, a URI reference naming this service, e.g.
     *     {@code "/shop/checkout"}
     */
    public RequestPublisher(Map<String, Object> kafka, Topics topics, String source) {
        this(
                new KafkaProducer<>(producerSettings(kafka), new StringSerializer(), new ByteArraySerializer()),
                topics,
                source,
                Clock.systemUTC());
    }

    /** A publisher on the caller's producer (keys String, values byte[]), which it closes on {@link #close()}. */
    public RequestPublisher(Producer<String, byte[]> producer, Topics topics, String source, Clock clock) {
        this.producer = producer;
        this.topic = topics.requests();
        this.source = source;
        this.clock = clock;
    }

    /**
     * Sends {@code request}.
     *
     * @return completes when Kafka has the record (all in-sync replicas), or fails with the send's error
     * @throws ValidationException when {@code request_id} or {@code tenant} is missing: the dispatcher would
     *     dead-letter such a record
     */
    public CompletableFuture<RecordMetadata> publish(GenerationRequest request) {
        if (request.tenant() == null) {
            throw new ValidationException("tenant", "is required on the requests topic");
        }
        String key = RecordKeys.requestIdOf(request); // throws for a request without request_id
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(request, source, clock.instant()).toMap().forEach(headers::add);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, key, Codec.encode(request), headers);
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
            } else {
                sent.complete(metadata);
            }
        });
        return sent;
    }

    /** Sends what is buffered and closes the producer. */
    @Override
    public void close() {
        producer.close();
    }

    private static Map<String, Object> producerSettings(Map<String, Object> kafka) {
        Map<String, Object> settings = new HashMap<>(kafka);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return settings;
    }
}
