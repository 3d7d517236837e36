package dev.sdfleet.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sdfleet.protocol.FailureReason;
import dev.sdfleet.protocol.Job;
import dev.sdfleet.protocol.JobProgress;
import dev.sdfleet.protocol.JobResult;
import dev.sdfleet.protocol.JobStatus;
import dev.sdfleet.worker.testing.Fleet;
import dev.sdfleet.worker.testing.TestJobs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that kills every worker that runs it (here {@code Runtime.halt} in a child JVM, as a native crash or the OOM
 * killer would) is quarantined: the partition's committed metadata counts its runs that never ended, so after
 * {@code SDFLEET_CRASH_QUARANTINE_RUNS} (3) dead workers the next one fails it with {@code WORKER_CRASHED} without
 * running it. Its micro-batch-mates of the first, fatal call are suspects afterwards and run alone: they get their
 * images and are not blamed again.
 */
class CrashQuarantineTest {
    private static final int QUARANTINE = 3;

    @Test
    void aJobThatKillsItsWorkersEndsFailedAfterThreeCrashesAndItsBatchMatesSucceed(@TempDir Path logs)
            throws Exception {
        try (Fleet fleet = new Fleet("crash")) {
            String prompt = "a red circle on a blue background";
            List<Job> innocents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                innocents.add(TestJobs.sized("req-mate", i, prompt, 40 + i, 64, 4));
            }
            Job killer = TestJobs.sized("req-killer", 0, prompt + " " + FaultyWorkerMain.HALT, 7, 64, 4);
            // All four share a batch key, and a worker that waits a while for its batch takes them in one call.
            for (Job job : innocents) {
                fleet.publish(job);
            }
            fleet.publish(killer);

            int crashes = 0;
            JobResult verdict = null;
            for (int generation = 0; generation <= QUARANTINE && verdict == null; generation++) {
                try (WorkerProcess worker = WorkerProcess.start(
                        FaultyWorkerMain.class,
                        fleet.config("w-crash-" + generation)
                                .kafkaProperties(HardKillTest.QUICK_FAILOVER)
                                .batchSize(4)
                                .batchWait(Duration.ofSeconds(2))
                                .crashQuarantine(QUARANTINE)
                                .build(),
                        WorkerProcess.currentClassPath(),
                        logs.resolve("w-crash-" + generation + ".log"),
                        List.of("-Xmx512m"))) {
                    verdict = awaitVerdictOrDeath(fleet, worker, killer);
                    if (verdict == null) {
                        crashes++;
                    }
                }
            }

            assertEquals(QUARANTINE, crashes, "each of the killer's runs killed one worker, and no more ran it");
            assertTrue(verdict != null, "the job was failed after " + crashes + " crashes");
            assertEquals(JobStatus.FAILED, verdict.status());
            assertEquals(
                    FailureReason.WORKER_CRASHED,
                    verdict.error().reason(),
                    verdict.error().message());
            assertEquals(false, verdict.error().retryable());
            for (Job job : innocents) {
                JobResult result = fleet.awaitResult(job.jobId());
                assertEquals(JobStatus.SUCCEEDED, result.status(), () -> job.jobId() + ": " + result.error());
            }
            assertEquals(
                    List.of("images/req-mate/0.png", "images/req-mate/1.png", "images/req-mate/2.png"),
                    fleet.keys("images/req-mate/"));
            assertTrue(fleet.keys("images/req-killer/").isEmpty());
            Fleet.await("every record committed", () -> fleet.committedTotal() == 4);
            Map<String, Long> resultsPerJob = fleet.results().all(Duration.ofSeconds(1)).stream()
                    .collect(Collectors.groupingBy(JobResult::jobId, Collectors.counting()));
            assertEquals(1L, resultsPerJob.get(killer.jobId()), "one verdict for the killer: " + resultsPerJob);
            // The suspects' results were acknowledged and committed before the killer ran again, so no later crash
            // made an innocent denoise a second time: one completed run (one last-step progress event) each.
            Map<String, Long> completedRuns = fleet.progress().all(Duration.ofSeconds(1)).stream()
                    .filter(p -> p.step() == p.totalSteps())
                    .collect(Collectors.groupingBy(JobProgress::jobId, Collectors.counting()));
            for (Job job : innocents) {
                assertEquals(
                        1L, completedRuns.get(job.jobId()), job.jobId() + " ran to the end once: " + completedRuns);
            }
        }
    }

    /**
     * A job whose call hangs (no step, deaf to cancellation) makes its worker fail the liveness probe; the test plays
     * Kubernetes (SIGTERM on a 503, SIGKILL after a grace period). The graceful stop cannot end the hung call, so its
     * run stays marked and counts: after the quarantine limit (2 here) the job fails with {@code WORKER_CRASHED}.
     */
    @Test
    void aJobThatHangsItsWorkersIsQuarantinedToo(@TempDir Path logs) throws Exception {
        int quarantine = 2;
        try (Fleet fleet = new Fleet("hang")) {
            Job hanger = TestJobs.sized("req-hanger", 0, "a red circle " + FaultyWorkerMain.HANG, 7, 64, 4);
            Job after = TestJobs.sized("req-after", 0, "a red circle", 8, 64, 4);
            fleet.publish(hanger);
            fleet.publish(after);

            int restarts = 0;
            JobResult verdict = null;
            for (int generation = 0; generation <= quarantine && verdict == null; generation++) {
                try (WorkerProcess worker = WorkerProcess.start(
                        FaultyWorkerMain.class,
                        fleet.config("w-hang-" + generation)
                                .kafkaProperties(HardKillTest.QUICK_FAILOVER)
                                .stallTimeout(Duration.ofSeconds(2))
                                .drainTimeout(Duration.ofSeconds(2))
                                .crashQuarantine(quarantine)
                                .build(),
                        WorkerProcess.currentClassPath(),
                        logs.resolve("w-hang-" + generation + ".log"),
                        List.of("-Xmx512m"))) {
                    worker.awaitReady(Fleet.TIMEOUT);
                    verdict = awaitVerdictOrStall(fleet, worker, hanger);
                    if (verdict == null) {
                        restarts++;
                        worker.stop(Duration.ofSeconds(20)); // the kubelet's restart: SIGTERM, then SIGKILL
                    }
                }
            }

            assertEquals(quarantine, restarts, "each hung run cost one restart, and no more ran it");
            assertTrue(verdict != null);
            assertEquals(
                    FailureReason.WORKER_CRASHED,
                    verdict.error().reason(),
                    verdict.error().message());
            JobResult other = fleet.awaitResult(after.jobId());
            assertEquals(JobStatus.SUCCEEDED, other.status(), () -> "error: " + other.error());
        }
    }

    /** Waits until the job has a result (returned) or the worker's liveness probe answers 503 (null). */
    static JobResult awaitVerdictOrStall(Fleet fleet, WorkerProcess worker, Job job) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI live = URI.create("http://127.0.0.1:" + worker.httpPort() + "/health/live");
        long deadline = System.nanoTime() + Fleet.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            List<JobResult> verdicts = fleet.results().all(Duration.ofMillis(200)).stream()
                    .filter(r -> r.jobId().equals(job.jobId()))
                    .toList();
            if (!verdicts.isEmpty()) {
                return verdicts.getFirst();
            }
            int status = http.send(
                            HttpRequest.newBuilder(live)
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            if (status == 503) {
                return null;
            }
        }
        throw new AssertionError("neither a verdict nor a failed liveness probe; see " + worker.log());
    }

    /**
     * Waits until the killer has a result (returned) or the worker process has died (null). A worker killed by the
     * job exits with {@link FaultyWorkerMain#HALT_EXIT_CODE}.
     */
    /** The killer's verdict, or null when the worker died (of the expected halt) first. */
    static JobResult awaitVerdictOrDeath(Fleet fleet, WorkerProcess worker, Job killer) throws InterruptedException {
        long deadline = System.nanoTime() + Fleet.TIMEOUT.toNanos() * 2;
        while (System.nanoTime() < deadline) {
            OptionalInt exit = worker.awaitExit(Duration.ofMillis(500));
            if (exit.isPresent()) {
                assertEquals(FaultyWorkerMain.HALT_EXIT_CODE, exit.getAsInt(), "see " + worker.log());
                return null;
            }
            List<JobResult> verdicts = fleet.results().all(Duration.ofMillis(200)).stream()
                    .filter(r -> r.jobId().equals(killer.jobId()))
                    .toList();
            if (!verdicts.isEmpty()) {
                return verdicts.getFirst();
            }
        }
        throw new AssertionError("neither a verdict nor a crash; see " + worker.log());
    }
}
