package dev.sdfleet.dispatcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.service.testing.ReadmeTables;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherConfigTest {
    private static final String TENANTS =
            "{\"acme\": {\"api_keys\": [\"sk-acme-0123456789abcdef\"], \"webhook_secrets\": []}}";

    @Test
    void defaults() {
        DispatcherConfig config = DispatcherConfig.fromEnv(Map.of());
        assertEquals("127.0.0.1:9092", config.kafkaBootstrap());
        assertEquals("sdfleet.requests", config.topics().requests());
        assertEquals("sdfleet.dispatcher.control", config.controlTopic());
        assertEquals(8080, config.httpPort());
        assertEquals(Duration.ofDays(2), config.retention());
        assertEquals(13_107_200, config.pixelStepsPerGpuSecond());
        assertEquals(
                dev.sdfleet.protocol.GenerationRequest.MAX_INLINE_IMAGE_CHARS + 64 * 1024,
                config.maxBodyBytes(),
                "room for the inline images and 64 KiB of the rest");
        assertFalse(config.webhooks().allowLoopback());
        assertEquals(Optional.empty(), config.tenants().tenantOf("sk-acme-0123456789abcdef"));
    }

    @Test
    void kafkaClientPropertiesComeFromTheFileAndTheVariableLikeTheWorkers(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(
                dir.resolve("client.properties"), "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        DispatcherConfig config = DispatcherConfig.fromEnv(Map.of(
                "SDFLEET_KAFKA_PROPERTIES_FILE",
                file.toString(),
                "SDFLEET_KAFKA_PROPERTIES",
                "sasl.jaas.config=ScramLoginModule required username=\"d\" password=\"pw\";"));
        assertEquals("SASL_SSL", config.kafkaProperties().get("security.protocol"));
        assertEquals("SCRAM-SHA-512", config.kafkaProperties().get("sasl.mechanism"));
        assertTrue(config.kafkaProperties().get("sasl.jaas.config").contains("username=\"d\""));
        assertFalse(config.toString().contains("pw"), config.toString());
    }

    @Test
    void environmentVariablesOverrideDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tenants.json");
        Files.writeString(file, TENANTS);
        DispatcherConfig config = DispatcherConfig.fromEnv(Map.of(
                "SDFLEET_KAFKA_BOOTSTRAP", "k:9092",
                "SDFLEET_DISPATCHER_ID", "d-2",
                "SDFLEET_RETENTION", "PT30M",
                "SDFLEET_COMMIT_INTERVAL_MS", "250",
                "SDFLEET_GPU_PIXEL_STEPS_PER_S", "1e6",
                "SDFLEET_TENANTS_FILE", file.toString(),
                "SDFLEET_WEBHOOK_ALLOW", "Loopback, private"));
        assertEquals("k:9092", config.kafkaBootstrap());
        assertEquals("/sdfleet/dispatcher/d-2", config.source());
        assertEquals(Duration.ofMinutes(30), config.retention());
        assertEquals(Duration.ofMillis(250), config.commitInterval());
        assertEquals(1e6, config.pixelStepsPerGpuSecond());
        assertEquals(Optional.of("acme"), config.tenants().tenantOf("sk-acme-0123456789abcdef"));
        assertTrue(config.webhooks().allowLoopback());
        assertTrue(config.webhooks().allowPrivate());
        assertFalse(config.webhooks().allowLinkLocal());
        DispatcherConfig changed = config.toBuilder().httpPort(0).build();
        assertEquals(0, changed.httpPort());
        assertEquals("d-2", changed.instanceId());
        assertTrue(changed.webhooks().allowLoopback());
    }

    @Test
    void errorsNameTheVariable() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_PARTITIONS", "0")));
        assertEquals("SDFLEET_PARTITIONS must be >= 1, got 0", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_RETENTION", "2d")));
        assertTrue(e.getMessage().startsWith("SDFLEET_RETENTION=2d: "), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_WEBHOOK_ALLOW", "loopback,public")));
        assertTrue(e.getMessage().contains("SDFLEET_WEBHOOK_ALLOW"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.fromEnv(
                        Map.of("SDFLEET_TENANTS", "{\"acme\": {\"api_keys\": [\"sk-short\"]}}")));
        assertTrue(e.getMessage().startsWith("SDFLEET_TENANTS: "), e.getMessage());
        assertFalse(e.getMessage().contains("sk-short"), "a secret variable's value is never echoed");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.builder("k:1").maxBodyBytes(10).build());
        assertEquals("maxBodyBytes must be >= 1024, got 10", e.getMessage());
    }

    @Test
    void imageLinksAreOffUntilS3IsConfigured() {
        assertNull(DispatcherConfig.fromEnv(Map.of()).imageSigning(), "no S3 settings: images as before");
        ImageLinks.Signing signing = DispatcherConfig.fromEnv(Map.of(
                        "SDFLEET_S3_ENDPOINT", "http://127.0.0.1:9000",
                        "SDFLEET_S3_ACCESS_KEY", "sdfleet",
                        "SDFLEET_S3_SECRET_KEY", "sdfleet-local-secret"))
                .imageSigning();
        assertEquals(URI.create("http://127.0.0.1:9000"), signing.endpoint());
        assertEquals("us-east-1", signing.region());
        assertTrue(signing.pathStyle(), "a custom endpoint means path style by default");
        assertEquals(Duration.ofHours(1), signing.ttl());
        // On AWS with the default chain (an instance role, say) nothing but the switch is needed.
        signing = DispatcherConfig.fromEnv(Map.of("SDFLEET_PRESIGN_IMAGES", "true", "SDFLEET_IMAGE_URL_TTL", "PT15M"))
                .imageSigning();
        assertNull(signing.endpoint());
        assertNull(signing.accessKey());
        assertFalse(signing.pathStyle());
        assertEquals(Duration.ofMinutes(15), signing.ttl());
        assertNull(DispatcherConfig.fromEnv(
                        Map.of("SDFLEET_S3_ENDPOINT", "http://127.0.0.1:9000", "SDFLEET_PRESIGN_IMAGES", "false"))
                .imageSigning());
    }

    @Test
    void theImageUrlTtlIsPositiveAndWithinSigV4sWeek() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_IMAGE_URL_TTL", "PT0S")));
        assertEquals("SDFLEET_IMAGE_URL_TTL must be > 0, got PT0S", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_IMAGE_URL_TTL", "-PT1H")));
        assertTrue(e.getMessage().startsWith("SDFLEET_IMAGE_URL_TTL must be > 0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_IMAGE_URL_TTL", "P8D")));
        assertEquals("SDFLEET_IMAGE_URL_TTL must be at most P7D (SigV4's limit), got PT192H", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_IMAGE_URL_TTL", "1h")));
        assertTrue(e.getMessage().startsWith("SDFLEET_IMAGE_URL_TTL=1h: "), e.getMessage());
        assertEquals(
                Duration.ofDays(7),
                DispatcherConfig.fromEnv(Map.of("SDFLEET_IMAGE_URL_TTL", "P7D", "SDFLEET_PRESIGN_IMAGES", "true"))
                        .imageSigning()
                        .ttl());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_S3_ACCESS_KEY", "sdfleet")));
        assertTrue(e.getMessage().contains("SDFLEET_S3_SECRET_KEY"), e.getMessage());
    }

    @Test
    void theLoggedFormNamesNoS3Secret() {
        String shown = DispatcherConfig.fromEnv(
                        Map.of("SDFLEET_S3_ACCESS_KEY", "sdfleet", "SDFLEET_S3_SECRET_KEY", "sdfleet-local-secret"))
                .toString();
        assertFalse(shown.contains("sdfleet-local-secret"), shown);
    }

    @Test
    void theLoggedFormNamesNoKey() {
        String shown =
                DispatcherConfig.fromEnv(Map.of("SDFLEET_TENANTS", TENANTS)).toString();
        assertFalse(shown.contains("sk-acme"), shown);
        assertTrue(shown.contains("SDFLEET_TENANTS=Tenants[acme(keys=1, secrets=0)]"), shown);
    }

    /** The table in dispatcher/README.md is generated from the declarations: {@code -Dsdfleet.writeReadme=true} rewrites it. */
    @Test
    void theReadmeTableListsTheDeclaredSettings() throws IOException {
        ReadmeTables.assertCurrent(DispatcherConfig.SETTINGS, Path.of("README.md"), "DispatcherConfig");
    }
}
