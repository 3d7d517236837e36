package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.protocol.TraceParent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace id from the HTTP call to the webhook, across the real dispatcher and a real worker: the caller's
 * {@code traceparent} (or a new one, when it sent none or a bad one) is on the requests record, on the job record the
 * worker takes, on the worker's result and on the webhook call a real HTTP receiver gets; each hop under its own span.
 */
class TracePropagationTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** The traceparent headers each hop carried for one request. */
    private record Hops(String echoed, String request, String job, String result, String webhook) {
        List<String> all() {
            return List.of(echoed, request, job, result, webhook);
        }
    }

    @Test
    void theCallersTraceReachesTheJobTheResultAndTheWebhook(@TempDir Path root) throws Exception {
        Map<String, String> webhookTraces = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook/", exchange -> {
            String label = exchange.getRequestURI().getPath().substring("/hook/".length());
            String trace = exchange.getRequestHeaders().getFirst("traceparent");
            webhookTraces.put(label, trace == null ? "" : trace);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/";
        LocalFleet.Settings settings = new LocalFleet.Settings(root, 0, 0, 1, 0, 0, Path.of(CliTest.tinyModel()), 1, 1);
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, HttpResponse<String>> admitted = Map.of(
                    "given", submit(http, fleet, hooks + "given", CALLER),
                    "none", submit(http, fleet, hooks + "none", null),
                    "invalid", submit(http, fleet, hooks + "invalid", "00-not-a-trace-context-01"));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (webhookTraces.size() < admitted.size() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(admitted.keySet(), webhookTraces.keySet(), "a webhook call for each request");

            Topics topics = Topics.defaults().forModel(fleet.modelId());
            Map<String, String> requests = traces(fleet, topics.requests());
            Map<String, String> jobs = traces(fleet, topics.jobs());
            Map<String, String> results = traces(fleet, topics.results());
            Map<String, Hops> hops = new HashMap<>();
            for (Map.Entry<String, HttpResponse<String>> entry : admitted.entrySet()) {
                HttpResponse<String> response = entry.getValue();
                String id = CliTest.JSON.readTree(response.body()).get("id").asText();
                hops.put(
                        entry.getKey(),
                        new Hops(
                                response.headers().firstValue("traceparent").orElse(""),
                                requests.getOrDefault(id, ""),
                                jobs.getOrDefault(id, ""),
                                results.getOrDefault(id, ""),
                                webhookTraces.get(entry.getKey())));
            }

            for (Map.Entry<String, Hops> entry : hops.entrySet()) {
                Hops of = entry.getValue();
                List<TraceParent> parsed = new ArrayList<>();
                for (String header : of.all()) {
                    parsed.add(TraceParent.parse(header)
                            .orElseThrow(() -> new AssertionError(entry.getKey() + ": not a traceparent in " + of)));
                }
                String traceId = parsed.getFirst().traceId();
                assertTrue(parsed.stream().allMatch(p -> p.traceId().equals(traceId)), entry.getKey() + ": " + of);
                // Each service passes the work on under its own span.
                assertEquals(of.echoed(), of.request(), entry.getKey() + ": the 202 names the admission's span");
                assertEquals(
                        5 - 1,
                        parsed.stream().map(TraceParent::parentId).distinct().count(),
                        entry.getKey() + ": " + of);
            }
            String given = TraceParent.parse(CALLER).orElseThrow().traceId();
            assertEquals(
                    given,
                    TraceParent.parse(hops.get("given").job()).orElseThrow().traceId());
            assertFalse(hops.get("given").request().contains("00f067aa0ba902b7"), "the admission is a new span");
            assertNotEquals(
                    TraceParent.parse(hops.get("none").job()).orElseThrow().traceId(),
                    TraceParent.parse(hops.get("invalid").job()).orElseThrow().traceId(),
                    "a new trace each");
            assertNotEquals(
                    given,
                    TraceParent.parse(hops.get("invalid").job()).orElseThrow().traceId());
        } finally {
            receiver.stop(0);
        }
    }

    private static HttpResponse<String> submit(HttpClient http, LocalFleet fleet, String webhook, String traceparent)
            throws Exception {
        String body = "{\"prompt\": \"a red circle on a blue background\", \"model\": \"" + fleet.modelId()
                + "\", \"n\": 1, \"steps\": 2,"
                + " \"webhook\": {\"url\": \"" + webhook + "\", \"events\": [\"generation.completed\"]}}";
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(fleet.dispatcher().baseUrl() + "/v1/generations"))
                .header("authorization", "Bearer " + fleet.apiKey())
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return response;
    }

    /** The last traceparent header of each record on {@code topic}, by record key (the request id). */
    private static Map<String, String> traces(LocalFleet fleet, String topic) {
        Map<String, String> traces = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                fleet.stack().bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header header = record.headers().lastHeader("traceparent");
                    if (header != null) {
                        traces.put(record.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return traces;
    }
}
