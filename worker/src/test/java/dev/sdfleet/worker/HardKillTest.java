package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL in the middle of a job (a child JVM: no close, no shutdown hook, no finally block
 * runs) loses the job to nobody: its offset was never committed, so the group hands the partition to the next worker,
 * which runs the job again. One object in S3 (the key is the job's), and every result of the job describes that same
 * object, so consumers de-duplicate by job id.
 */
class HardKillTest {
    /** Noticing a dead member takes a session timeout: the broker's minimum (6 s) instead of the default 45 s. */
    static final Map<String, String> QUICK_FAILOVER =
            Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

    @Test
    void aJobOfAKilledWorkerIsRedeliveredAndStoredOnce(@TempDir Path logs) throws Exception {
        try (Fleet fleet = new Fleet("kill")) {
            // Long enough (seconds on two busy cores) to be still denoising when the kill comes.
            Job job = TestJobs.sized("req-kill", 0, "a green circle on a white background", 31, 128, 60);
            try (WorkerProcess doomed = WorkerProcess.start(
                    fleet.config("w-doomed").kafkaProperties(QUICK_FAILOVER).build(),
                    WorkerProcess.currentClassPath(),
                    logs.resolve("w-doomed.log"),
                    List.of("-Xmx512m"))) {
                doomed.awaitReady(Fleet.TIMEOUT);
                fleet.publish(job);
                JobProgress running = fleet.progress()
                        .await(p -> p.jobId().equals(job.jobId()) && p.step() < p.totalSteps(), Fleet.TIMEOUT);
                assertTrue(running.step() < running.totalSteps());

                assertEquals(137, doomed.kill(), "128 + SIGKILL");
            }
            assertTrue(fleet.keys("images/req-kill/").isEmpty(), "killed before its upload");
            assertEquals(0, fleet.committedTotal(), "nothing committed for the killed job");

            fleet.start(
                    fleet.config("w-successor").kafkaProperties(QUICK_FAILOVER).build());

            JobResult result = fleet.results()
                    .await(r -> r.jobId().equals(job.jobId()) && "w-successor".equals(r.workerId()), Fleet.TIMEOUT);
            assertEquals(JobStatus.SUCCEEDED, result.status(), () -> "error: " + result.error());
            Fleet.await("the job's offset to be committed", () -> fleet.committedTotal() == 1);
            assertEquals(List.of("images/req-kill/0.png"), fleet.keys("images/req-kill/"));
            List<JobResult> ofJob = fleet.results().all(Duration.ofSeconds(1)).stream()
                    .filter(r -> r.jobId().equals(job.jobId()))
                    .toList();
            assertFalse(ofJob.isEmpty());
            // However many results a job gets, they are one outcome: the same object, byte for byte.
            assertEquals(
                    1,
                    ofJob.stream()
                            .map(r -> r.output().key() + " " + r.output().sha256())
                            .collect(Collectors.toSet())
                            .size(),
                    ofJob.toString());
        }
    }
}
