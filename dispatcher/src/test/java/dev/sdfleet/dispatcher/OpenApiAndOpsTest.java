package dev.sdfleet.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sdfleet.dispatcher.support.Api;
import dev.sdfleet.dispatcher.support.TestFleet;
import dev.sdfleet.dispatcher.support.TestTenants;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The served OpenAPI document (valid OpenAPI 3.1, one path per route), metrics and health. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiAndOpsTest {
    private static final Set<String> ROUTES = Set.of(
            "/v1/generations",
            "/v1/generations/{id}",
            "/v1/generations/{id}/events",
            "/v1/generations/{id}/deliveries/{delivery}/redeliver",
            "/v1/models",
            "/openapi.yaml",
            "/metrics",
            "/health/live",
            "/health/ready");
    private Dispatcher dispatcher;
    private Api api;

    @BeforeAll
    void start() {
        dispatcher = TestFleet.startReady(TestFleet.config("ops"));
        api = new Api(dispatcher.baseUrl());
    }

    @AfterAll
    void stop() {
        dispatcher.close();
    }

    @Test
    void servesAValidOpenApiDocumentCoveringEveryRoute() throws Exception {
        Api.Answer answer = api.get("/openapi.yaml", null);
        assertEquals(200, answer.status());
        assertEquals("application/yaml", answer.header("content-type"));
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(answer.raw().body());
        assertEquals("3.1.0", doc.get("openapi").asText());
        Set<String> paths = new TreeSet<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertEquals(new TreeSet<>(ROUTES), paths);

        Vertx vertx = Vertx.vertx();
        try {
            JsonObject contract = new JsonObject(new ObjectMapper().writeValueAsString(doc));
            // The OpenAPI 3.1 meta-schema, then every $ref resolved. (OpenAPIContract.from would also build a router
            // contract, which refuses the problem+json and yaml media types this API answers with.)
            OpenAPIVersion version = OpenAPIVersion.fromContract(contract);
            assertEquals(OpenAPIVersion.V3_1, version);
            SchemaRepository repository =
                    version.getRepository(vertx, "app:///").await();
            OutputUnit result =
                    version.validateContract(vertx, repository, contract).await();
            result.checkValidity();
            JsonObject broken = contract.copy();
            broken.remove("info");
            assertEquals(
                    false,
                    version.validateContract(vertx, repository, broken).await().getValid(),
                    "the meta-schema check does catch a broken document");
            JsonObject resolved = version.resolve(vertx, repository, contract).await();
            assertEquals(
                    "object",
                    resolved.getJsonObject("paths")
                            .getJsonObject("/v1/generations")
                            .getJsonObject("post")
                            .getJsonObject("requestBody")
                            .getJsonObject("content")
                            .getJsonObject("application/json")
                            .getJsonObject("schema")
                            .getString("type"));
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void metricsAndHealth() {
        api.post("/v1/generations", TestTenants.ACME_KEY, null, "{\"prompt\": \"x\", \"model\": \"tiny-sd\"}");
        api.post("/v1/generations", TestTenants.ACME_KEY, null, "{\"n\": 0}");
        String metrics = api.get("/metrics", null).raw().body();
        for (String name : new String[] {
            "sdfleet_dispatcher_requests_total{ingress=\"http\",outcome=\"accepted\"}",
            "sdfleet_dispatcher_requests_total{ingress=\"http\",outcome=\"invalid\"}",
            "sdfleet_dispatcher_admit_seconds_count",
            "sdfleet_dispatcher_jobs_queued{priority=\"high\"}",
            "sdfleet_dispatcher_queued_gpu_seconds",
            "kafka_stream"
        }) {
            assertTrue(
                    metrics.contains(name),
                    name + " in\n"
                            + metrics.lines().filter(l -> l.contains("sdfleet")).toList());
        }
        assertTrue(
                metrics.contains("sdfleet_dispatcher_jobs_queued{priority=\"normal\"} 1.0"),
                "one job queued (no worker here)");
        assertEquals(200, api.get("/health/live", null).status());
        assertEquals("UP", api.get("/health/live", null).json().get("status").asText());
        assertEquals("UP", api.get("/health/ready", null).json().get("status").asText());
        assertEquals(404, api.get("/nothing-here", null).status());
    }
}
