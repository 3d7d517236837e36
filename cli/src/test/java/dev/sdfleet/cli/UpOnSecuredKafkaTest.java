package dev.sdfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.cli.fleet.LocalFleet;
import dev.sdfleet.devstack.EmbeddedKafka;
import dev.sdfleet.devstack.KafkaSecurity;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sdfleet up --kafka-bootstrap ... --kafka-properties FILE}: the local fleet on a running, secured Kafka (SASL_SSL
 * only, no plain listener), so every client of the fleet must have taken the file's properties for a request to
 * complete. The file's user is the broker's super-user here; what each party may do is SecuredKafkaFleetTest's.
 */
class UpOnSecuredKafkaTest {
    private static final Set<String> OPTIONS = KafkaOptions.VALUED;

    @Test
    void theLocalFleetRunsARequestOnASecuredKafkaWithTheGivenProperties(@TempDir Path root) throws Exception {
        try (KafkaSecurity security = KafkaSecurity.create(List.of());
                EmbeddedKafka kafka = EmbeddedKafka.builder().security(security).start()) {
            Path file = root.resolve("client.properties");
            Properties properties = new Properties();
            properties.putAll(kafka.superUserClient());
            try (Writer writer = Files.newBufferedWriter(file)) {
                properties.store(writer, null);
            }
            Args args = Args.parse(
                    List.of("--kafka-bootstrap", kafka.bootstrapServers(), "--kafka-properties", file.toString()),
                    OPTIONS,
                    Set.of());
            LocalFleet.OutsideKafka outside = KafkaOptions.outsideKafka(args, Map.of());
            assertEquals("SASL_SSL", outside.clientProperties().get("security.protocol"));

            LocalFleet.Settings settings =
                    new LocalFleet.Settings(root, 0, 0, 1, 0, 0, Path.of(CliTest.tinyModel()), 1, 1);
            try (LocalFleet fleet = LocalFleet.start(settings, outside);
                    HttpClient http = HttpClient.newHttpClient()) {
                String base = fleet.dispatcher().baseUrl();
                String id = CliTest.JSON
                        .readTree(call(
                                http,
                                fleet,
                                HttpRequest.newBuilder(URI.create(base + "/v1/generations"))
                                        .header("content-type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "{\"prompt\": \"a red circle\", \"model\": \"tiny-sd\", \"n\": 1,"
                                                        + " \"steps\": 4}"))))
                        .get("id")
                        .asText();
                String status = "";
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!status.equals("completed") && !status.equals("failed") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    status = CliTest.JSON
                            .readTree(call(
                                    http, fleet, HttpRequest.newBuilder(URI.create(base + "/v1/generations/" + id))))
                            .path("status")
                            .asText();
                }
                assertEquals("completed", status, id);
            }
        }
    }

    @Test
    void propertiesWithoutAKafkaToUseThemOnAreRefused() {
        Args args = Args.parse(List.of("--kafka-properties", "client.properties"), OPTIONS, Set.of());
        Args.UsageException e =
                assertThrows(Args.UsageException.class, () -> KafkaOptions.outsideKafka(args, Map.of()));
        assertTrue(e.getMessage().contains("--kafka-bootstrap"), e.getMessage());
        assertNull(
                KafkaOptions.outsideKafka(Args.parse(List.of(), OPTIONS, Set.of()), Map.of()), "the embedded broker");
    }

    @Test
    void theEnvironmentGivesThePropertiesAsToTheServices(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), "security.protocol=SSL\n");
        Args args = Args.parse(List.of("--kafka-bootstrap", "kafka:9094"), OPTIONS, Set.of());
        LocalFleet.OutsideKafka outside = KafkaOptions.outsideKafka(
                args,
                Map.of(
                        "SDFLEET_KAFKA_PROPERTIES_FILE",
                        file.toString(),
                        "SDFLEET_KAFKA_PROPERTIES",
                        "ssl.keystore.password=pw"));
        assertEquals(Map.of("security.protocol", "SSL", "ssl.keystore.password", "pw"), outside.clientProperties());
    }

    private static String call(HttpClient http, LocalFleet fleet, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(
                request.header("authorization", "Bearer " + fleet.apiKey())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(2, response.statusCode() / 100, response.body());
        return response.body();
    }
}
