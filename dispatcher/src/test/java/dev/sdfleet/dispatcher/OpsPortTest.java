package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.dispatcher.config.DispatcherConfig;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * With {@code SDFLEET_OPS_PORT} apart from the API port, {@code /metrics} and {@code /health/*} are served there and
 * only there: the API port answers them 404 (so an Ingress or a NetworkPolicy that opens the API opens no metrics),
 * and the ops port serves no API.
 */
class OpsPortTest {
    @Test
    void metricsAndHealthOnTheOpsPortOnlyWhenItIsApart() {
        try (Dispatcher dispatcher = TestFleet.startReady(
                TestFleet.config("ops-port").toBuilder().opsPort(0).build())) {
            assertNotEquals(dispatcher.port(), dispatcher.opsPort());
            Api api = new Api(dispatcher.baseUrl());
            Api ops = new Api(dispatcher.opsUrl());

            assertEquals(
                    202,
                    api.post(
                                    "/v1/generations",
                                    TestTenants.ACME_KEY,
                                    null,
                                    "{\"prompt\": \"x\", \"model\": \"tiny-sd\"}")
                            .status(),
                    "the API port serves the API");
            Api.Answer metrics = ops.get("/metrics", null);
            assertEquals(200, metrics.status());
            assertTrue(metrics.header("content-type").startsWith("text/plain"), metrics.header("content-type"));
            assertTrue(
                    metrics.raw()
                            .body()
                            .contains("sdfleet_dispatcher_requests_total{ingress=\"http\",outcome=\"accepted\"} 1.0"),
                    "the ops port's /metrics counts what the API port admitted");
            assertEquals(
                    "UP", ops.get("/health/live", null).json().get("status").asText());
            assertEquals(
                    "UP", ops.get("/health/ready", null).json().get("status").asText());

            for (String path : new String[] {"/metrics", "/health/live", "/health/ready"}) {
                assertEquals(404, api.get(path, null).status(), "API port " + path);
            }
            assertEquals(404, ops.get("/openapi.yaml", null).status(), "the ops port serves no API");
            assertEquals(404, ops.get("/v1/generations/x", TestTenants.ACME_KEY).status(), "ops port /v1");
        }
    }

    @Test
    void theOpsPortIsApartOnlyWhenSetToAnotherPort() {
        assertEquals(OptionalInt.empty(), DispatcherConfig.fromEnv(Map.of()).opsPort());
        assertEquals(
                OptionalInt.empty(),
                DispatcherConfig.fromEnv(Map.of("SDFLEET_HTTP_PORT", "8080", "SDFLEET_OPS_PORT", "8080"))
                        .opsPort());
        assertEquals(
                OptionalInt.of(9090),
                DispatcherConfig.fromEnv(Map.of("SDFLEET_OPS_PORT", "9090")).opsPort());
        assertThrows(
                IllegalArgumentException.class, () -> DispatcherConfig.fromEnv(Map.of("SDFLEET_OPS_PORT", "70000")));
    }

    @Test
    void withoutAnOpsPortTheApiPortServesThem() {
        try (Dispatcher dispatcher = TestFleet.startReady(TestFleet.config("ops-same"))) {
            assertEquals(dispatcher.port(), dispatcher.opsPort());
            assertEquals(dispatcher.baseUrl(), dispatcher.opsUrl());
            Api api = new Api(dispatcher.baseUrl());
            assertEquals(200, api.get("/metrics", null).status());
            assertEquals(200, api.get("/health/ready", null).status());
        }
    }
}
