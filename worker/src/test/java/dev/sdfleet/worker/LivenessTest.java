package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.inference.ImageGenerator;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A pipeline call that stops making steps turns {@code /health/live} DOWN once the stall timeout passes, so that
 * Kubernetes restarts the worker; the step's age is a gauge. The hang is made with the worker's test hook on the
 * progress sink, which runs inside the pipeline's step callback: blocking it holds the denoising loop between two
 * steps, as an ORT call that never returns would. Released, the job finishes and the worker is alive again.
 */
class LivenessTest {
    private static final String STUCK_PROMPT = "a white circle on a black background";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aStepThatDoesNotProgressFailsTheLivenessProbe() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        // Holds the denoising loop between two steps of the stuck job, as an ORT call that hangs would.
        UnaryOperator<ImageGenerator> hang = real -> (request, listener, cancellation) -> real.generate(
                request,
                (step, total) -> {
                    if (request.prompts().contains(STUCK_PROMPT)) {
                        try {
                            unblock.await(Fleet.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    listener.onStep(step, total);
                },
                cancellation);
        try (Fleet fleet = new Fleet("liveness")) {
            Worker worker = new Worker(
                    fleet.config("w-stuck").stallTimeout(Duration.ofSeconds(1)).build(), Clock.systemUTC(), hang);
            try {
                worker.start();
                assertEquals(200, get(worker).statusCode(), "idle is alive");

                Job job = TestJobs.job("req-stuck", 0, STUCK_PROMPT, 3);
                fleet.publish(job);
                Fleet.await("the liveness probe to fail", () -> status(worker) == 503);
                HttpResponse<String> down = get(worker);
                assertTrue(down.body().startsWith("{\"status\":\"DOWN\",\"step_age_ms\":"), down.body());
                assertTrue(stepAge(worker) > 1.0, "the gauge shows the stuck step's age");

                unblock.countDown();
                assertEquals(JobStatus.SUCCEEDED, fleet.awaitResult(job.jobId()).status());
                Fleet.await("the liveness probe to pass again", () -> status(worker) == 200);
                assertEquals(0.0, stepAge(worker), "no call runs");
            } finally {
                unblock.countDown();
                worker.close();
            }
        }
    }

    private static double stepAge(Worker worker) {
        return worker.metrics()
                .registry()
                .get("sdfleet.inference.step.age.seconds")
                .gauge()
                .value();
    }

    private int status(Worker worker) {
        try {
            return get(worker).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private HttpResponse<String> get(Worker worker) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + worker.httpPort() + "/health/live"))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
