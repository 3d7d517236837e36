package dev.sdfleet.bench.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdfleet.dispatcher.support.TestTenants;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.GenerationRequest;
import dev.sdfleet.protocol.Webhook;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Submits generation requests to a dispatcher the two ways other services do, as tenant {@code acme}: over HTTP
 * ({@code POST /v1/generations} with its API key) and over Kafka ingress (a {@link GenerationRequest} on the requests
 * topic, keyed by its request id, which it must carry with its tenant). Each request asks for one small image of the
 * tiny model (64x64, 4 steps), so real workers answer in a fraction of a second.
 */
final class GenerationSubmitter implements AutoCloseable {
    static final String MODEL = "tiny-sd";
    static final String TENANT = "acme";
    private static final int SIZE = 64;
    private static final int STEPS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String requestsTopic;
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final KafkaProducer<String, byte[]> producer;

    /** A submitter to the dispatcher at {@code baseUrl} and its {@code requestsTopic}; {@code kafka}: the client. */
    GenerationSubmitter(String baseUrl, Map<String, Object> kafka, String requestsTopic) {
        this.baseUrl = baseUrl;
        this.requestsTopic = requestsTopic;
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sdfleet-bench-ingress");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Posts a request; returns its id once the dispatcher accepted it (202).
     *
     * @param webhookUrl where its webhooks go; null: none
     * @throws IllegalStateException on any other answer
     */
    String overHttp(String prompt, String webhookUrl) throws IOException, InterruptedException {
        HttpResponse<String> answer = post(body(prompt, webhookUrl));
        if (answer.statusCode() != 202) {
            throw new IllegalStateException(
                    "POST /v1/generations answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body()).get("id").asText();
    }

    /**
     * Posts a request as a careful publisher does while the fleet is in trouble: with an {@code Idempotency-Key}, and
     * again with the same key after a 5xx, a 429 or a failed connection, until the dispatcher accepts it (202) or
     * {@code patience} runs out. The key makes the retries safe: they all name one request.
     *
     * @return the request's id
     * @throws IllegalStateException on a 4xx other than 429, or when {@code patience} ran out
     */
    String overHttpUntilAccepted(String idempotencyKey, String prompt, String webhookUrl, Duration patience)
            throws IOException, InterruptedException {
        byte[] body = body(prompt, webhookUrl);
        long deadline = System.nanoTime() + patience.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> answer = send(request("/v1/generations")
                        .header("Authorization", "Bearer " + TestTenants.ACME_KEY)
                        .header("Idempotency-Key", idempotencyKey)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build());
                if (answer.statusCode() == 202) {
                    return JSON.readTree(answer.body()).get("id").asText();
                }
                if (answer.statusCode() < 500 && answer.statusCode() != 429) {
                    throw new IllegalStateException(
                            "POST /v1/generations answered " + answer.statusCode() + ": " + answer.body());
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("not accepted within " + patience + "; last answer: " + last);
    }

    private static byte[] body(String prompt, String webhookUrl) throws IOException {
        ObjectNode body = JSON.createObjectNode()
                .put("prompt", prompt)
                .put("model", MODEL)
                .put("width", SIZE)
                .put("height", SIZE)
                .put("steps", STEPS);
        if (webhookUrl != null) {
            body.putObject("webhook").put("url", webhookUrl);
        }
        return JSON.writeValueAsBytes(body);
    }

    /**
     * Publishes a request on the requests topic (with CloudEvents headers, as a well-behaved producer would) and
     * returns its id once the broker acknowledged it.
     */
    String overKafka(String prompt, String webhookUrl) {
        Published published = overKafkaLater(prompt, webhookUrl);
        try {
            published.acknowledged().get(30, TimeUnit.SECONDS);
            return published.requestId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + published.requestId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "publishing request " + published.requestId() + " failed: " + e.getMessage(), e);
        }
    }

    /** A request handed to the producer, and the broker's acknowledgement to come. */
    record Published(String requestId, Future<RecordMetadata> acknowledged) {}

    /**
     * Hands a request to the producer without waiting: while the broker is away the producer keeps it and retries
     * (for its delivery timeout, 2 minutes), as a publishing service's producer would.
     */
    Published overKafkaLater(String prompt, String webhookUrl) {
        String id = "kafka-" + UUID.randomUUID();
        GenerationRequest.Builder request = GenerationRequest.builder(prompt, MODEL)
                .requestId(id)
                .tenant(TENANT)
                .size(SIZE, SIZE)
                .steps(STEPS);
        if (webhookUrl != null) {
            request.webhook(Webhook.to(webhookUrl));
        }
        GenerationRequest message = request.build();
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.forMessage(message, "/sdfleet/bench", Instant.now())
                .toMap()
                .forEach(headers::add);
        return new Published(
                id, producer.send(new ProducerRecord<>(requestsTopic, null, id, Codec.encode(message), headers)));
    }

    /** The {@code i}-th request of a mixed load: over Kafka ingress when {@code i} is odd, else over HTTP. */
    String mixed(int i, String prompt, String webhookUrl) throws IOException, InterruptedException {
        return i % 2 == 1 ? overKafka(prompt, webhookUrl) : overHttp(prompt, webhookUrl);
    }

    /** {@code POST /v1/generations} with {@code body} as it is, authorised as acme. */
    HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
        return send(request("/v1/generations")
                .header("Authorization", "Bearer " + TestTenants.ACME_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    /** Any request to the dispatcher; the answer's body as text. */
    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A request to {@code path} of the dispatcher, JSON content, a 30 s timeout. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        http.close();
    }
}
