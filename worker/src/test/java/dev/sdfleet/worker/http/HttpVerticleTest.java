package dev.sdfleet.worker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.worker.kafka.LoopState;
import dev.sdfleet.worker.metrics.WorkerMetrics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints alone, without Kafka or a model: readiness follows its three conditions, metrics use Prometheus names. */
class HttpVerticleTest {
    private final WorkerMetrics metrics = new WorkerMetrics("w-unit", "tiny-sd");
    private final Readiness readiness = new Readiness();
    private final Liveness liveness = new Liveness(Duration.ofSeconds(1));
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger drains = new AtomicInteger();
    private Vertx vertx;
    private HttpVerticle verticle;

    @BeforeEach
    void deploy() throws Exception {
        vertx = Vertx.vertx();
        verticle = new HttpVerticle(0, metrics, liveness, readiness, drains::incrementAndGet);
        vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        metrics.close();
    }

    @Test
    void readyOnlyWithModelWarmUpARunningConsumerAndAReadingCancelListener() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        assertEquals(503, get("/health/ready").statusCode());
        AtomicReference<LoopState> state = new AtomicReference<>(LoopState.STARTING);
        AtomicBoolean hearsCancels = new AtomicBoolean(true);
        readiness.consumer(state::get);
        readiness.cancelListener(hearsCancels::get);
        readiness.modelLoaded("tiny-sd");
        readiness.warmedUp();
        assertEquals(503, get("/health/ready").statusCode(), "the consumer is not running yet");
        state.set(LoopState.RUNNING);
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals(
                "{\"status\":\"UP\",\"model\":\"tiny-sd\",\"model_loaded\":true,\"warmed_up\":true,"
                        + "\"consumer\":\"RUNNING\",\"cancel_listener\":\"reading\"}",
                ready.body());
        hearsCancels.set(false);
        assertEquals(503, get("/health/ready").statusCode(), "a worker that cannot hear cancels takes no traffic");
        hearsCancels.set(true);
        state.set(LoopState.DRAINING);
        assertEquals(503, get("/health/ready").statusCode(), "a draining worker takes no traffic");
        assertEquals(404, get("/nothing").statusCode());
    }

    @Test
    void liveUnlessAPipelineCallGoesWithoutAStepBeyondTheStallTimeout() throws Exception {
        AtomicReference<Duration> stepAge = new AtomicReference<>(Duration.ZERO);
        liveness.inference(stepAge::get);
        HttpResponse<String> idle = get("/health/live");
        assertEquals(200, idle.statusCode());
        assertEquals("{\"status\":\"UP\",\"step_age_ms\":0,\"stall_timeout_ms\":1000}", idle.body());
        stepAge.set(Duration.ofMillis(900));
        assertEquals(200, get("/health/live").statusCode(), "a slow step is not a stuck one");
        stepAge.set(Duration.ofMillis(1_500));
        HttpResponse<String> stuck = get("/health/live");
        assertEquals(503, stuck.statusCode());
        assertEquals("{\"status\":\"DOWN\",\"step_age_ms\":1500,\"stall_timeout_ms\":1000}", stuck.body());
        stepAge.set(Duration.ofMillis(10));
        assertEquals(200, get("/health/live").statusCode(), "a step came: alive again");
    }

    @Test
    void drainIsAcceptedFromLoopbackWithAPost() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + "/admin/drain"))
                        .version(HttpClient.Version.HTTP_1_1)
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode());
        assertEquals(1, drains.get());
        assertEquals(405, get("/admin/drain").statusCode(), "a GET (a stray probe) must not drain");
        assertEquals(1, drains.get());
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        metrics.jobOutcome(WorkerMetrics.SUCCEEDED);
        metrics.jobOutcome("cancelled");
        metrics.stage("denoise", 1_000_000);
        metrics.uploaded(1234, 2_000_000);
        metrics.batchSize(4);
        metrics.denoiseStepsPerSecond(42);
        metrics.queueWait(Duration.ofMillis(5));
        metrics.modelLoaded(3_000_000);
        metrics.gauge("sdfleet.ready", "ready", () -> 1);
        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        String text = response.body();
        for (String expected : new String[] {
            "sdfleet_jobs_total{model=\"tiny-sd\",outcome=\"succeeded\",worker=\"w-unit\"} 1.0",
            "sdfleet_jobs_total{model=\"tiny-sd\",outcome=\"cancelled\",worker=\"w-unit\"} 1.0",
            "sdfleet_stage_duration_seconds_bucket{model=\"tiny-sd\",stage=\"denoise\"",
            "sdfleet_s3_upload_size_bytes_sum{model=\"tiny-sd\",worker=\"w-unit\"} 1234.0",
            "sdfleet_s3_upload_seconds_count{model=\"tiny-sd\",worker=\"w-unit\"} 1",
            "sdfleet_batch_size_max{model=\"tiny-sd\",worker=\"w-unit\"} 4.0",
            "sdfleet_denoise_steps_per_second_count",
            "sdfleet_queue_wait_seconds_count",
            "sdfleet_model_load_seconds_count",
            "sdfleet_ready{model=\"tiny-sd\",worker=\"w-unit\"} 1.0",
            "jvm_memory_used_bytes"
        }) {
            assertTrue(
                    text.contains(expected),
                    "/metrics lacks " + expected + "\n"
                            + text.lines().filter(l -> l.startsWith("sdfleet")).toList());
        }
    }

    @Test
    void answersAnHttp2UpgradeOfferInHttp1() throws Exception {
        // java.net.http's default client offers h2c with its first request; the server must not take it (see
        // HttpVerticle). Several fresh connections, since the upgraded stream stalled only now and then.
        for (int i = 0; i < 20; i++) {
            HttpClient fresh =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> response = get(fresh, "/metrics");
            assertEquals(200, response.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
            assertTrue(response.body().contains("jvm_memory_used_bytes"));
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(http, path);
    }

    /** Bounds the whole exchange: HttpRequest.timeout covers only the wait for the response headers. */
    private HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .get(20, TimeUnit.SECONDS);
    }
}
