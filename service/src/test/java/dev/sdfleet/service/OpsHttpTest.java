package dev.sdfleet.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operations routes and server options both services use. */
class OpsHttpTest {
    private final AtomicBoolean ready = new AtomicBoolean();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        OpsHttp.mount(router, () -> Health.UP, () -> Health.of(ready.get()).with("why", "test"), () -> "m 1.0\n");
        server = vertx.createHttpServer(OpsHttp.serverOptions())
                .requestHandler(router)
                .listen(0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void healthAndMetricsInHttp1EvenWhenOfferedAnUpgrade() throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> live = get(http, "/health/live");
        assertEquals(HttpClient.Version.HTTP_1_1, live.version(), "h2c is off");
        assertEquals(200, live.statusCode());
        assertEquals("{\"status\":\"UP\"}", live.body());
        HttpResponse<String> notReady = get(http, "/health/ready");
        assertEquals(503, notReady.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"why\":\"test\"}", notReady.body());
        ready.set(true);
        assertEquals(200, get(http, "/health/ready").statusCode());
        HttpResponse<String> metrics = get(http, "/metrics");
        assertEquals(
                OpsHttp.PROMETHEUS_TEXT,
                metrics.headers().firstValue("content-type").orElse(""));
        assertEquals("m 1.0\n", metrics.body());
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .get(20, TimeUnit.SECONDS);
    }
}
