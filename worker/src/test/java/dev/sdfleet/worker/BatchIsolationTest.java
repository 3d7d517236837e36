package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.pipeline.InvalidRequestException;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.inference.ImageGenerator;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * One job that fails inside a micro-batch fails alone: its batch-mates get their images and it gets one FAILED result
 * with its own reason. The fault is a test hook in front of the real pipeline (the worker's package-private
 * constructor): any call whose prompts include {@link #FAULTY} is refused as the pipeline refuses a request it cannot
 * serve, so the batched call fails, and so does that job's call alone, while the others' calls run the real model.
 */
class BatchIsolationTest {
    private static final String FAULTY = "a prompt this model cannot serve";
    private static final List<String> PROMPTS = List.of(
            "a red circle on a blue background",
            FAULTY,
            "a green square on a white background",
            "a yellow square on a purple background");

    @Test
    void aFailingJobFailsAloneAndItsBatchMatesSucceed() {
        try (Fleet fleet = new Fleet("isolate")) {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < PROMPTS.size(); i++) {
                Job job = TestJobs.job("req-isolate", i, PROMPTS.get(i), 60 + i);
                jobs.add(job);
                fleet.publish(job); // all before the worker starts: it finds them waiting and batches them
            }
            UnaryOperator<ImageGenerator> refuseFaulty = pipeline -> (request, progress, cancellation) -> {
                if (request.prompts().contains(FAULTY)) {
                    throw new InvalidRequestException("prompt", "test fault: " + FAULTY);
                }
                return pipeline.generate(request, progress, cancellation);
            };
            Worker worker = fleet.start(new Worker(
                    fleet.config("w-isolate")
                            .batchSize(4)
                            .batchWait(Duration.ofSeconds(2))
                            .build(),
                    Clock.systemUTC(),
                    refuseFaulty));

            for (Job job : jobs) {
                JobResult result = fleet.awaitResult(job.jobId());
                if (job.prompt().equals(FAULTY)) {
                    assertEquals(JobStatus.FAILED, result.status());
                    assertEquals(
                            FailureReason.INVALID_PARAMETERS, result.error().reason());
                    assertFalse(result.error().retryable());
                    assertTrue(
                            result.error().message().contains(FAULTY),
                            result.error().message());
                } else {
                    assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
                    assertTrue(fleet.object(result.output().key()).length > 0, "the image is in S3");
                }
            }
            Fleet.await("all four committed", () -> fleet.committedTotal() == 4);
            List<JobResult> all = fleet.results().all(Duration.ofMillis(500));
            for (Job job : jobs) {
                assertEquals(
                        1,
                        all.stream().filter(r -> r.jobId().equals(job.jobId())).count(),
                        "one result for " + job.jobId());
            }
            DistributionSummary sizes =
                    worker.metrics().registry().get("sdfleet.batch.size").summary();
            assertEquals(4, (int) sizes.max(), "the four jobs were first called as one batch");
        }
    }
}
