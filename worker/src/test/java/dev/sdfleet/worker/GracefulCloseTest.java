package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.kafka.LoopState;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker closed while a job runs loses no job: within the drain timeout the job finishes and is committed; past
 * it, the job is released uncommitted and the next worker of the group runs it.
 */
class GracefulCloseTest {

    @Test
    void closeLetsTheRunningJobFinishWithinTheDrainTimeout() {
        try (Fleet fleet = new Fleet("drain")) {
            Worker worker = fleet.start(
                    fleet.config("w-drain").drainTimeout(Duration.ofMinutes(2)).build());
            Job job = TestJobs.sized("req-drain", 0, "a blue circle on a yellow background", 21, 128, 40);
            fleet.publish(job);
            fleet.awaitProgress(job.jobId());

            worker.close();

            assertEquals(LoopState.STOPPED, worker.state());
            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            assertEquals("w-drain", result.workerId());
            assertEquals(1, fleet.committedTotal(), "the drained job was committed before the worker left");
        }
    }

    @Test
    void aJobReleasedAtCloseIsCompletedByTheNextWorker() throws Exception {
        try (Fleet fleet = new Fleet("release")) {
            Worker first = fleet.start(
                    fleet.config("w-first").drainTimeout(Duration.ofMillis(200)).build());
            // Long: it cannot finish within the 200 ms drain timeout.
            Job job = TestJobs.sized("req-release", 0, "a white circle on a black background", 22, 192, 150);
            fleet.publish(job);
            fleet.awaitProgress(job.jobId());

            first.close();
            fleet.start(fleet.config("w-second").build());

            JobResult result = fleet.awaitResult(job.jobId());
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            Fleet.await("the job's offset to be committed", () -> fleet.committedTotal() == 1);
            assertEquals(List.of("images/req-release/0.png"), fleet.keys("images/req-release/"));
            List<JobResult> all = fleet.results().all(Duration.ofSeconds(1));
            assertTrue(all.stream().allMatch(r -> r.status() == JobStatus.SUCCEEDED), all.toString());
        }
    }
}
