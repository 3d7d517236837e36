package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.protocol.CloudEventHeaders;
import dev.sdfleet.protocol.Codec;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.protocol.MessageType;
import dev.sdfleet.protocol.Topics;
import dev.sdfleet.worker.Worker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local fleet serving two models (the trained tiny model and the SD 2-shaped fixture), one worker each: the
 * dispatcher lists both, and each request's jobs go to its model's topic and are run only by that model's worker.
 */
class TwoModelsTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Test
    void eachModelsJobsReachOnlyItsOwnWorkers(@TempDir Path root) throws Exception {
        Path tiny = Path.of(CliTest.tinyModel());
        Path sd2 = tiny.resolveSibling("tiny-sd2");
        LocalFleet.Settings settings = new LocalFleet.Settings(root, 0, 0, 1, 0, 0, List.of(tiny, sd2), 1, 1);
        try (LocalFleet fleet = LocalFleet.start(settings)) {
            Map<String, String> modelOfWorker = fleet.workers().stream()
                    .map(Worker::config)
                    .collect(Collectors.toMap(c -> c.workerId(), c -> c.modelId()));
            assertEquals(2, modelOfWorker.size(), modelOfWorker.toString());

            HttpClient http = HttpClient.newHttpClient();
            String base = fleet.dispatcher().baseUrl();
            JsonNode models = CliTest.JSON.readTree(send(http, fleet, "GET", base + "/v1/models", null));
            assertEquals("tiny-sd", models.at("/data/0/id").asText());
            assertEquals("tiny-sd2", models.at("/data/1/id").asText());

            String forTiny = submit(http, fleet, base, "tiny-sd");
            String forSd2 = submit(http, fleet, base, "tiny-sd2");
            for (String id : List.of(forTiny, forSd2)) {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                String status = "";
                while (!status.equals("completed") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    status = CliTest.JSON
                            .readTree(send(http, fleet, "GET", base + "/v1/generations/" + id, null))
                            .path("status")
                            .asText();
                }
                assertEquals("completed", status, id);
            }

            List<JobResult> results = results(fleet.stack().bootstrapServers());
            for (String id : List.of(forTiny, forSd2)) {
                List<JobResult> ofRequest =
                        results.stream().filter(r -> r.requestId().equals(id)).toList();
                assertEquals(2, ofRequest.size(), ofRequest.toString());
                for (JobResult result : ofRequest) {
                    assertEquals(JobStatus.SUCCEEDED, result.status(), result.toString());
                    assertEquals(
                            id.equals(forTiny) ? "tiny-sd" : "tiny-sd2",
                            modelOfWorker.get(result.workerId()),
                            result.jobId() + " ran on " + result.workerId());
                }
            }
        }
    }

    private static String submit(HttpClient http, LocalFleet fleet, String base, String model) throws Exception {
        String body = "{\"prompt\": \"a red circle on a blue background\", \"model\": \"" + model
                + "\", \"n\": 2, \"steps\": 4}";
        return CliTest.JSON
                .readTree(send(http, fleet, "POST", base + "/v1/generations", body))
                .get("id")
                .asText();
    }

    private static String send(HttpClient http, LocalFleet fleet, String method, String url, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("authorization", "Bearer " + fleet.apiKey())
                .timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(
                response.statusCode() / 100 == 2,
                method + " " + url + ": " + response.statusCode() + " " + response.body());
        return response.body();
    }

    /** Every result on the results topic, read from the start. */
    private static List<JobResult> results(String bootstrap) {
        List<JobResult> results = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()))) {
            String topic = Topics.defaults().results();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    // The results topic also carries the workers' progress reports: results only, by ce_type.
                    Map<String, byte[]> headers = new HashMap<>();
                    record.headers().forEach(h -> headers.put(h.key(), h.value()));
                    if (CloudEventHeaders.parse(headers).messageType() == MessageType.JOB_RESULT) {
                        results.add(Codec.decode(record.value(), JobResult.class));
                    }
                }
            }
        }
        return results;
    }
}
