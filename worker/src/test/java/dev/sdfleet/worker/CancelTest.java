package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.CancelRequest;
import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cancel stops its running job (CANCELLED result) and fails its queued jobs without running them. */
class CancelTest {

    @Test
    void cancellingARunningJobGivesACancelledResult() {
        try (Fleet fleet = new Fleet("cancel")) {
            fleet.start(fleet.config("w-cancel").build());
            Job job = TestJobs.sized("req-cancel", 0, "a red square on a green background", 31, 192, 150);
            fleet.publish(job);
            fleet.awaitProgress(job.jobId());

            fleet.cancel(CancelRequest.ofJob(job.jobId(), "changed my mind", Instant.now()));

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.FAILED, result.status());
            assertEquals(FailureReason.CANCELLED, result.error().reason());
            assertFalse(result.error().retryable());
            assertTrue(
                    result.error().message().contains("changed my mind"),
                    result.error().message());
            assertTrue(fleet.keys("images/req-cancel/").isEmpty(), "a cancelled job stores nothing");
            Fleet.await("the cancelled job's offset to be committed", () -> fleet.committedTotal() == 1);
        }
    }

    @Test
    void aCancelledRequestsQueuedJobNeverRuns() {
        try (Fleet fleet = new Fleet("cancelq")) {
            fleet.start(fleet.config("w-cancelq").build());
            // Long enough that the cancel arrives while this job still runs and the doomed one waits behind it.
            Job running = TestJobs.sized("req-busy", 0, "a red circle on a blue background", 32, 192, 150);
            Job queued = TestJobs.job("req-doomed", 0, "a green square on a white background", 33);
            fleet.publish(running);
            fleet.awaitProgress(running.jobId());
            fleet.publish(queued);
            fleet.cancel(CancelRequest.ofRequest(queued.requestId(), null, Instant.now()));

            JobResult cancelled = fleet.awaitResult(queued.jobId());
            assertEquals(FailureReason.CANCELLED, cancelled.error().reason());
            JobResult finished = fleet.awaitResult(running.jobId());
            assertEquals(JobStatus.SUCCEEDED, finished.status(), () -> "error: " + finished.error());
            assertTrue(
                    fleet.progress().all(Duration.ofMillis(500)).stream()
                            .noneMatch(p -> p.jobId().equals(queued.jobId())),
                    "the cancelled job never ran a step");
        }
    }
}
