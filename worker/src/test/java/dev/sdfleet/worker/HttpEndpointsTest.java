package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/live} answers as soon as HTTP is up, {@code /health/ready} only once the model is loaded, warmed up
 * and the consumer runs, and {@code /metrics} shows the job counters and stage histograms in Prometheus format.
 */
class HttpEndpointsTest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void healthAndMetrics() throws Exception {
        try (Fleet fleet = new Fleet("http")) {
            Worker worker = new Worker(fleet.config("w-http").build());
            // Started on another thread: HTTP comes up first, readiness follows the model load and warm-up.
            CompletableFuture<Worker> starting = CompletableFuture.supplyAsync(worker::start);
            try {
                Fleet.await("the HTTP port", () -> worker.httpPort() > 0);
                assertEquals(200, get(worker, "/health/live").statusCode());
                HttpResponse<String> firstReady = get(worker, "/health/ready");
                assertTrue(firstReady.statusCode() == 503 || firstReady.statusCode() == 200, firstReady.body());
                Fleet.await("ready", () -> status(worker, "/health/ready") == 200);
                HttpResponse<String> ready = get(worker, "/health/ready");
                assertTrue(ready.body().contains("\"warmed_up\":true"), ready.body());
                assertTrue(ready.body().contains("\"consumer\":\"RUNNING\""), ready.body());
                assertTrue(ready.body().contains("\"cancel_listener\":\"reading\""), ready.body());
                starting.get(Fleet.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

                Job job = TestJobs.job("req-http", 0, "a red circle on a blue background", 5);
                fleet.publish(job);
                assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(job.jobId()).status());

                Fleet.await(
                        "the job counter",
                        () -> body(worker, "/metrics")
                                .contains(
                                        "sdfleet_jobs_total{model=\"tiny-sd\",outcome=\"succeeded\",worker=\"w-http\"} 1.0"));
                HttpResponse<String> metrics = get(worker, "/metrics");
                assertTrue(
                        metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
                String text = metrics.body();
                for (String expected : new String[] {
                    "sdfleet_stage_duration_seconds_bucket{model=\"tiny-sd\",stage=\"denoise\"",
                    "sdfleet_stage_duration_seconds_count{model=\"tiny-sd\",stage=\"upload\"",
                    "sdfleet_queue_wait_seconds_count",
                    "sdfleet_denoise_steps_per_second_count",
                    "sdfleet_batch_size_count",
                    "sdfleet_model_load_seconds_count",
                    "sdfleet_s3_upload_size_bytes_sum",
                    "sdfleet_s3_upload_seconds_count",
                    "sdfleet_ready{model=\"tiny-sd\",worker=\"w-http\"} 1.0",
                    "jvm_memory_used_bytes"
                }) {
                    assertTrue(text.contains(expected), "/metrics lacks " + expected);
                }
            } finally {
                worker.close();
            }
        }
    }

    /** Bounds the whole exchange: HttpRequest.timeout covers only the wait for the response headers. */
    private HttpResponse<String> get(Worker worker, String path) throws IOException {
        try {
            return http.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(path + ": " + e, e);
        }
    }

    private int status(Worker worker, String path) {
        try {
            return get(worker, path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private String body(Worker worker, String path) {
        try {
            return get(worker, path).body();
        } catch (IOException e) {
            return "";
        }
    }
}
